"""An invitation from sending to acceptance, with the mail read from a real SMTP server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from models import AuditEvent, Invitation, User
from tests.invitations.helpers import PASSWORD, email_status, invite, mailed_token
from tests.invitations.queries import ACCEPT, DELETE, LIST, LOGIN, ME, PREVIEW, RESEND, USERS
from tests.smtp_server import FROM_ADDRESS, html_of, link_in, text_of


async def test_the_invitee_gets_a_mail_with_a_private_link_to_the_public_url(gql, cast, smtp):
    await invite(gql, cast.admin_a, "nina")
    [message] = await smtp.wait_for(1)
    assert message["To"] == "nina@invitee.example"
    assert message["From"] == FROM_ADDRESS
    assert "acme" in message["Subject"]
    link = link_in(message, "/accept-invitation")
    assert link.startswith("http://tenantry.test/accept-invitation?token=")
    assert link.replace("&", "&amp;") in html_of(message)
    assert "nina" in text_of(message)


async def test_the_link_never_comes_from_the_request_host_header(gql, cast, smtp):
    await gql(
        """mutation { sendInvitation(input: {username: "nina", email: "nina@invitee.example",
           role: MEMBER}) { __typename } }""",
        as_=cast.admin_a,
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    [message] = await smtp.wait_for(1)
    assert "evil.example" not in text_of(message)
    assert link_in(message, "/accept-invitation").startswith("http://tenantry.test/")


async def test_sending_answers_pending_and_the_worker_marks_it_sent(gql, cast, smtp):
    invitation = await invite(gql, cast.admin_a)
    assert invitation["emailStatus"] == "PENDING"
    assert invitation["invitedBy"] == {"username": "alice"}
    await smtp.wait_for(1)
    for _ in range(250):  # the worker records the outcome just after the server accepted it
        row = await email_status(invitation["id"])
        if row.email_status.value == "sent":
            break
        await asyncio.sleep(0.02)
    listed = (await gql(LIST, as_=cast.admin_a)).ok()["invitations"]["edges"][0]["node"]
    assert listed["emailStatus"] == "SENT"
    assert listed["lastSentAt"] is not None
    assert listed["emailError"] is None


async def test_the_preview_shows_tenant_username_and_method(gql, cast, smtp):
    await invite(gql, cast.admin_a, "nina", authMethod="PASSWORD")
    token = await mailed_token(smtp)
    preview = (await gql(PREVIEW, {"token": token})).ok()["invitationPreview"]
    assert preview["tenantName"] == "acme"
    assert preview["username"] == "nina"
    assert preview["email"] == "nina@invitee.example"
    assert preview["authMethod"] == "PASSWORD"


async def test_accepting_sets_the_password_signs_in_and_moves_the_invitee_to_users(gql, cast, smtp):
    invitation = await invite(gql, cast.admin_a, "nina", role="GUEST")
    token = await mailed_token(smtp)
    accepted = await gql(ACCEPT, {"input": {"token": token, "password": PASSWORD}})
    payload = accepted.payload("acceptInvitation")
    assert payload["__typename"] == "LoginSuccess"
    assert payload["user"] == {
        "username": "nina", "email": "nina@invitee.example", "role": "GUEST",
        "authMethod": "PASSWORD", "superuser": False, "tenant": {"name": "acme"},
    }  # fmt: skip
    assert "tenantry_session=" in accepted.response.headers["set-cookie"]
    me = (await gql(ME, token=payload["sessionToken"])).ok()["me"]
    assert me == {"username": "nina", "role": "GUEST", "superuser": False}
    assert await Invitation.filter(id=invitation["id"]).count() == 0
    assert (await gql(LIST, as_=cast.admin_a)).ok()["invitations"]["totalCount"] == 0
    usernames = [
        e["node"]["username"] for e in (await gql(USERS, as_=cast.admin_a)).ok()["users"]["edges"]
    ]
    assert "nina" in usernames
    login = await gql(
        LOGIN, {"input": {"tenant": "acme", "username": "nina", "password": PASSWORD}}
    )
    assert login.payload("login")["__typename"] == "LoginSuccess"


async def test_a_link_works_once(gql, cast, smtp):
    await invite(gql, cast.admin_a)
    token = await mailed_token(smtp)
    first = await gql(ACCEPT, {"input": {"token": token, "password": PASSWORD}})
    assert first.payload("acceptInvitation")["__typename"] == "LoginSuccess"
    again = await gql(ACCEPT, {"input": {"token": token, "password": PASSWORD}})
    assert again.payload("acceptInvitation")["__typename"] == "InvalidToken"
    assert (await gql(PREVIEW, {"token": token})).ok()["invitationPreview"] is None


async def test_copy_invite_link_works_alongside_the_mailed_one(gql, cast, smtp):
    invitation = await invite(gql, cast.admin_a)
    token = await mailed_token(smtp)
    copied = (await gql(LIST, as_=cast.admin_a)).ok()["invitations"]["edges"][0]["node"]["link"]
    assert copied == invitation["link"]
    assert copied.startswith("http://tenantry.test/accept-invitation?token=")
    copied_token = copied.split("?token=", 1)[1]
    assert (await gql(PREVIEW, {"token": token})).ok()["invitationPreview"] is not None
    accepted = await gql(ACCEPT, {"input": {"token": copied_token, "password": PASSWORD}})
    assert accepted.payload("acceptInvitation")["__typename"] == "LoginSuccess"


async def test_deleting_revokes_the_link(gql, cast, smtp):
    invitation = await invite(gql, cast.admin_a)
    token = await mailed_token(smtp)
    deleted = (await gql(DELETE, {"id": invitation["id"]}, as_=cast.admin_a)).payload(
        "deleteInvitation"
    )
    assert deleted == {
        "__typename": "DeleteInvitationSuccess",
        "deletedInvitationId": invitation["id"],
    }
    assert (await gql(PREVIEW, {"token": token})).ok()["invitationPreview"] is None
    accepted = await gql(ACCEPT, {"input": {"token": token, "password": PASSWORD}})
    assert accepted.payload("acceptInvitation")["__typename"] == "InvalidToken"
    again = (await gql(DELETE, {"id": invitation["id"]}, as_=cast.admin_a)).payload(
        "deleteInvitation"
    )
    assert again["__typename"] == "NotFound"


async def test_an_expired_link_is_refused_but_the_invitation_stays_listed(gql, cast, smtp):
    invitation = await invite(gql, cast.admin_a)
    token = await mailed_token(smtp)
    past = datetime.now(UTC) - timedelta(minutes=1)
    await Invitation.filter(id=invitation["id"]).update(expires_at=past)
    accepted = await gql(ACCEPT, {"input": {"token": token, "password": PASSWORD}})
    assert accepted.payload("acceptInvitation")["__typename"] == "InvalidToken"
    assert (await gql(PREVIEW, {"token": token})).ok()["invitationPreview"] is None
    listed = (await gql(LIST, as_=cast.admin_a)).ok()["invitations"]
    assert listed["totalCount"] == 1


async def test_resending_mails_again_and_renews_the_expiry_of_the_same_link(gql, cast, smtp):
    invitation = await invite(gql, cast.admin_a)
    token = await mailed_token(smtp)
    past = datetime.now(UTC) - timedelta(minutes=1)
    await Invitation.filter(id=invitation["id"]).update(expires_at=past)
    resent = (await gql(RESEND, {"id": invitation["id"]}, as_=cast.admin_a)).payload(
        "resendInvitation"
    )
    assert resent["__typename"] == "InvitationPayload"
    assert datetime.fromisoformat(resent["invitation"]["expiresAt"]) > datetime.now(
        UTC
    ) + timedelta(days=6)
    second = await mailed_token(smtp, 2)
    assert second == token
    accepted = await gql(ACCEPT, {"input": {"token": token, "password": PASSWORD}})
    assert accepted.payload("acceptInvitation")["__typename"] == "LoginSuccess"


async def test_every_unusable_token_gets_the_same_answer(gql, cast, smtp):
    invitation = await invite(gql, cast.admin_a)
    token = await mailed_token(smtp)
    object_id, _, mac = token.partition(".")
    forged = f"{object_id}.{'A' * len(mac)}"
    unknown = f"00000000-0000-0000-0000-000000000000.{mac}"
    answers = []
    for candidate in (forged, unknown, "garbage", "", token + "x", "x" * 5000):
        result = await gql(ACCEPT, {"input": {"token": candidate, "password": PASSWORD}})
        answers.append(result.payload("acceptInvitation"))
        assert (await gql(PREVIEW, {"token": candidate})).ok()["invitationPreview"] is None
    assert all(answer == answers[0] for answer in answers)
    assert answers[0]["__typename"] == "InvalidToken"
    assert await Invitation.filter(id=invitation["id"]).exists()


async def test_the_password_follows_the_password_rules(gql, cast, smtp):
    await invite(gql, cast.admin_a, "nina")
    token = await mailed_token(smtp)
    for bad in ("short", "nina", "password", None):
        result = await gql(ACCEPT, {"input": {"token": token, "password": bad}})
        payload = result.payload("acceptInvitation")
        assert payload["__typename"] == "ValidationError", (bad, payload)
        assert payload["field"] == "password"
    assert await User.filter(username="nina").count() == 0


async def test_a_saml_invitation_points_to_the_tenant_sso_login(gql, cast, smtp):
    await invite(gql, cast.admin_a, "sam", authMethod="SAML")
    token = await mailed_token(smtp)
    preview = (await gql(PREVIEW, {"token": token})).ok()["invitationPreview"]
    assert preview["authMethod"] == "SAML"
    payload = (await gql(ACCEPT, {"input": {"token": token}})).payload("acceptInvitation")
    assert payload["__typename"] == "ValidationError"
    assert "http://tenantry.test/saml/acme/login" in payload["message"]
    assert await User.filter(username="sam").count() == 0


async def test_acceptance_fails_when_the_username_was_taken_meanwhile(gql, cast, smtp, make):
    await invite(gql, cast.admin_a, "nina")
    token = await mailed_token(smtp)
    await make.user(cast.tenant_a, username="Nina", email="other@acme.example")
    payload = (await gql(ACCEPT, {"input": {"token": token, "password": PASSWORD}})).payload(
        "acceptInvitation"
    )
    assert payload["__typename"] == "AlreadyExists"
    assert await Invitation.filter(username="nina").count() == 1


async def test_every_step_writes_an_audit_event(gql, cast, smtp):
    first = await invite(gql, cast.admin_a, "nina")
    await invite(gql, cast.admin_a, "omar")
    await gql(RESEND, {"id": first["id"]}, as_=cast.admin_a)
    tokens = [await mailed_token(smtp, n) for n in (1, 2, 3)]
    await gql(DELETE, {"id": first["id"]}, as_=cast.admin_a)
    omar_token = next(t for t in tokens if not t.startswith(first["id"]))
    await gql(ACCEPT, {"input": {"token": omar_token, "password": PASSWORD}})
    actions = [
        e.action for e in await AuditEvent.filter(action__startswith="invitation.").order_by("at")
    ]
    assert actions == [
        "invitation.sent", "invitation.sent", "invitation.resent", "invitation.deleted",
        "invitation.accepted",
    ]  # fmt: skip
    for event in await AuditEvent.all():
        assert omar_token not in str(event.changes)


async def test_the_sso_hook_turns_a_pending_saml_invitation_into_a_user(gql, cast, smtp):
    from domain.invitations import SamlIdentity, accept_invitation_by_sso

    idp = SamlIdentity("https://idp.example/metadata", "sam@invitee.example")
    await invite(gql, cast.admin_a, "sam", authMethod="SAML", role="GUEST")
    await invite(gql, cast.admin_a, "pat", authMethod="PASSWORD")
    assert await accept_invitation_by_sso(cast.tenant_b.id, "sam@invitee.example", idp) is None
    assert await accept_invitation_by_sso(cast.tenant_a.id, "pat@invitee.example", idp) is None
    user = await accept_invitation_by_sso(cast.tenant_a.id, "SAM@invitee.example", idp)
    assert (user.username, user.role.value, user.auth_method.value, user.superuser) == (
        "sam",
        "guest",
        "saml",
        False,
    )
    assert user.password_hash is None
    assert (user.saml_idp_entity_id, user.saml_name_id) == (idp.idp_entity_id, idp.name_id)
    assert await accept_invitation_by_sso(cast.tenant_a.id, "sam@invitee.example", idp) is None
