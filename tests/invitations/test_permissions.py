"""Who may send, list, resend, delete and copy links of invitations (the contract's table)."""

from __future__ import annotations

import pytest

from models import Invitation
from tests.invitations.helpers import invitation_input, invite
from tests.invitations.queries import DELETE, LIST, RESEND, SEND

ROLES = ["guest", "member", "admin", "superuser", "other_admin"]


async def test_anonymous_callers_may_not_send_list_resend_or_delete(gql, cast, smtp):
    invitation = await invite(gql, cast.admin_a)
    for query, variables in (
        (SEND, {"input": invitation_input("zed")}),
        (LIST, None),
        (RESEND, {"id": invitation["id"]}),
        (DELETE, {"id": invitation["id"]}),
    ):
        assert (await gql(query, variables)).codes == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("role", "invitee_role", "answer"),
    [
        ("guest", "GUEST", "FORBIDDEN"),
        ("member", "GUEST", "InvitationPayload"),
        ("member", "MEMBER", "InvitationPayload"),
        ("member", "ADMIN", "ValidationError"),
        ("admin", "ADMIN", "InvitationPayload"),
        ("superuser", "ADMIN", "InvitationPayload"),
        ("other_admin", "ADMIN", "InvitationPayload"),
    ],
)
async def test_who_may_invite_whom(gql, cast, smtp, role, invitee_role, answer):
    result = await gql(
        SEND, {"input": invitation_input("zed", role=invitee_role)}, as_=cast.by_role(role)
    )
    if answer == "FORBIDDEN":
        assert result.codes == ["FORBIDDEN"]
        assert await Invitation.all().count() == 0
        return
    payload = result.payload("sendInvitation")
    assert payload["__typename"] == answer
    if answer == "InvitationPayload":
        invitation = await Invitation.get(id=payload["invitation"]["id"])
        assert invitation.tenant_id == cast.by_role(role).user.tenant_id
    else:
        assert payload["field"] == "role"


async def test_superusers_invite_into_any_tenant_with_tenant_id(gql, cast, smtp):
    result = await gql(
        SEND, {"input": invitation_input("zed", tenantId=str(cast.tenant_b.id), role="ADMIN")},
        as_=cast.superuser,
    )  # fmt: skip
    invitation = await Invitation.get(id=result.payload("sendInvitation")["invitation"]["id"])
    assert invitation.tenant_id == cast.tenant_b.id


@pytest.mark.parametrize("role", ["member", "admin"])
async def test_others_cannot_invite_into_another_tenant(gql, cast, smtp, role):
    for tenant_id in (str(cast.tenant_b.id), "not-an-id", "00000000-0000-0000-0000-000000000000"):
        result = await gql(
            SEND, {"input": invitation_input("zed", tenantId=tenant_id)}, as_=cast.by_role(role)
        )
        payload = result.payload("sendInvitation")
        assert payload == {"__typename": "ValidationError", "message": "No such tenant.",
                           "field": "tenantId"}  # fmt: skip
    assert await Invitation.all().count() == 0


async def _two_invitations(gql, cast):
    by_admin = await invite(gql, cast.admin_a, "byadmin")
    by_member = await invite(gql, cast.member_a, "bymember")
    return by_admin, by_member


async def test_admins_list_all_of_their_tenant_members_their_own(gql, cast, smtp):
    await _two_invitations(gql, cast)
    await invite(gql, cast.admin_b, "elsewhere")

    def names(result):
        return sorted(e["node"]["username"] for e in result.ok()["invitations"]["edges"])

    assert names(await gql(LIST, as_=cast.admin_a)) == ["byadmin", "bymember"]
    assert names(await gql(LIST, as_=cast.superuser)) == ["byadmin", "bymember"]
    assert names(await gql(LIST, as_=cast.member_a)) == ["bymember"]
    assert names(await gql(LIST, as_=cast.admin_b)) == ["elsewhere"]
    tenant_b = {"tenantId": str(cast.tenant_b.id)}
    assert names(await gql(LIST, tenant_b, as_=cast.superuser)) == ["elsewhere"]
    assert names(await gql(LIST, tenant_b, as_=cast.admin_a)) == ["byadmin", "bymember"]
    assert (await gql(LIST, as_=cast.guest_a)).codes == ["FORBIDDEN"]


async def test_the_link_is_shown_to_admins_and_the_inviter(gql, cast, smtp):
    _, by_member = await _two_invitations(gql, cast)
    assert by_member["link"].startswith("http://tenantry.test/accept-invitation?token=")
    for person in (cast.admin_a, cast.superuser, cast.member_a):
        for edge in (await gql(LIST, as_=person)).ok()["invitations"]["edges"]:
            assert edge["node"]["link"].startswith("http://tenantry.test/")


@pytest.mark.parametrize(
    ("role", "on_admins", "on_members"),
    [
        ("member", "NotFound", "ok"),
        ("admin", "ok", "ok"),
        ("superuser", "ok", "ok"),
        ("other_admin", "NotFound", "NotFound"),
    ],
)
async def test_who_may_resend_and_delete(gql, cast, smtp, role, on_admins, on_members):
    by_admin, by_member = await _two_invitations(gql, cast)
    person = cast.by_role(role)
    for invitation, expected in ((by_admin, on_admins), (by_member, on_members)):
        resent = (await gql(RESEND, {"id": invitation["id"]}, as_=person)).payload(
            "resendInvitation"
        )
        deleted = (await gql(DELETE, {"id": invitation["id"]}, as_=person)).payload(
            "deleteInvitation"
        )
        if expected == "ok":
            assert resent["__typename"] == "InvitationPayload"
            assert deleted["__typename"] == "DeleteInvitationSuccess"
        else:
            assert resent["__typename"] == deleted["__typename"] == "NotFound"
            assert await Invitation.filter(id=invitation["id"]).exists()


async def test_guests_may_not_resend_or_delete(gql, cast, smtp):
    by_admin, _ = await _two_invitations(gql, cast)
    assert (await gql(RESEND, {"id": by_admin["id"]}, as_=cast.guest_a)).codes == ["FORBIDDEN"]
    assert (await gql(DELETE, {"id": by_admin["id"]}, as_=cast.guest_a)).codes == ["FORBIDDEN"]


async def test_unknown_ids_are_not_found(gql, cast, smtp):
    for bad in ("nope", "00000000-0000-0000-0000-000000000000"):
        resent = (await gql(RESEND, {"id": bad}, as_=cast.admin_a)).payload("resendInvitation")
        assert resent["__typename"] == "NotFound"


@pytest.mark.parametrize("role", [None, *ROLES])
async def test_anyone_holding_the_token_may_preview_and_accept(gql, cast, smtp, role):
    from tests.invitations.helpers import PASSWORD, mailed_token
    from tests.invitations.queries import ACCEPT, PREVIEW

    await invite(gql, cast.admin_b, "zed")
    token = await mailed_token(smtp)
    person = cast.by_role(role) if role else None
    preview = (await gql(PREVIEW, {"token": token}, as_=person)).ok()["invitationPreview"]
    assert preview["tenantName"] == "globex"
    accepted = await gql(ACCEPT, {"input": {"token": token, "password": PASSWORD}}, as_=person)
    payload = accepted.payload("acceptInvitation")
    assert payload["__typename"] == "LoginSuccess"
    assert payload["user"]["username"] == "zed" and payload["user"]["tenant"]["name"] == "globex"


async def test_an_admin_does_not_see_the_superuser_of_another_tenant_who_invited_into_theirs(
    gql, cast, smtp
):
    await invite(gql, cast.superuser, "visitor", tenantId=str(cast.tenant_b.id))
    listed = await gql(
        "{ invitations { edges { node { username invitedBy { username email } } } } }",
        as_=cast.admin_b,
    )
    assert listed.ok()["invitations"]["edges"] == [
        {"node": {"username": "visitor", "invitedBy": None}}
    ]


async def test_an_admin_sees_who_of_their_tenant_sent_an_invitation(gql, cast, smtp):
    await invite(gql, cast.member_a, "friend")
    listed = await gql(
        "{ invitations { edges { node { invitedBy { username } } } } }", as_=cast.admin_a
    )
    assert listed.ok()["invitations"]["edges"] == [{"node": {"invitedBy": {"username": "mallory"}}}]
