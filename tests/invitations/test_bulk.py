"""sendInvitations: up to 100 rows, each checked and answered as sendInvitation would, one
mail per sent row; atomic batches send all or none; the rate limit counts rows."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from domain.invitation_batches import NOT_SENT
from domain.outbox import deliver_due_mail
from models import AuditEvent, Invitation, OutboxMail, Role
from tests.invitations.helpers import invitation_input
from tests.invitations.queries import SEND_MANY
from tests.tokens.helpers import refused_as_a_token_request, token_of

BAD_ROWS = {
    10: ("ValidationError", "role"),  # a member may not invite an admin
    20: ("AlreadyExists", "username"),  # alice is a user of acme
    30: ("AlreadyExists", "email"),  # row 3's address again, in another case
    40: ("ValidationError", "email"),
    50: ("ValidationError", "expiresInHours"),
}


def hundred_rows_with_five_bad() -> list[dict[str, Any]]:
    rows = [invitation_input(f"bulk{n}") for n in range(100)]
    rows[10]["role"] = "ADMIN"
    rows[20]["username"] = "alice"
    rows[30]["email"] = "BULK3@invitee.example"
    rows[40]["email"] = "not an address"
    rows[50]["expiresInHours"] = 721
    return rows


async def send_many(gql, as_, rows, atomic=None, **kwargs) -> dict[str, Any]:
    variables = {"input": {"invitations": rows}}
    if atomic is not None:
        variables["input"]["atomic"] = atomic
    return (await gql(SEND_MANY, variables, as_=as_, **kwargs)).payload("sendInvitations")


def answers(payload: dict[str, Any]) -> dict[int, tuple[str, str | None]]:
    return {
        row["index"]: (row["result"]["__typename"], row["result"].get("field"))
        for row in payload["results"]
    }


async def test_100_rows_with_5_bad_send_95_mails_and_answer_5_typed_errors(gql, cast, smtp):
    payload = await send_many(gql, cast.member_a, hundred_rows_with_five_bad())

    assert payload["__typename"] == "SendInvitationsPayload"
    assert payload["sentCount"] == 95
    assert [row["index"] for row in payload["results"]] == list(range(100))
    got = answers(payload)
    assert {index: got[index] for index in BAD_ROWS} == BAD_ROWS
    assert {got[i][0] for i in range(100) if i not in BAD_ROWS} == {"InvitationPayload"}
    messages = await smtp.wait_for(95, within=30)
    await deliver_due_mail()
    assert len(messages) == 95
    assert sorted(m["To"] for m in messages) == sorted(
        f"bulk{n}@invitee.example" for n in range(100) if n not in BAD_ROWS
    )
    assert await Invitation.all().count() == 95
    assert await AuditEvent.filter(action="invitation.sent").count() == 95


async def test_an_atomic_batch_with_bad_rows_sends_none_and_says_why_for_every_row(gql, cast, smtp):
    payload = await send_many(gql, cast.member_a, hundred_rows_with_five_bad(), atomic=True)

    assert payload["sentCount"] == 0
    got = answers(payload)
    assert {index: got[index] for index in BAD_ROWS} == BAD_ROWS
    unsent = [row["result"] for row in payload["results"] if row["index"] not in BAD_ROWS]
    assert len(unsent) == 95
    assert {(r["__typename"], r["message"], r["field"]) for r in unsent} == {
        ("ValidationError", NOT_SENT, None)
    }
    await deliver_due_mail()
    assert smtp.messages == []
    assert await Invitation.all().count() == 0 and await OutboxMail.all().count() == 0
    assert await AuditEvent.filter(action="invitation.sent").count() == 0


async def test_an_atomic_batch_refused_by_the_database_under_the_lock_writes_nothing(
    gql, cast, smtp, make
):
    # Checked without the lock, both rows are good; under it, row 1's name is already invited.
    await make.invitation(cast.tenant_a, username="taken")
    rows = [invitation_input("fresh"), invitation_input("taken", email="other@invitee.example")]
    payload = await send_many(gql, cast.admin_a, rows, atomic=True)
    assert answers(payload) == {0: ("ValidationError", None), 1: ("AlreadyExists", "username")}
    assert await Invitation.filter(username="fresh").count() == 0
    assert await OutboxMail.all().count() == 0


async def test_an_atomic_batch_of_good_rows_sends_every_row(gql, cast, smtp):
    rows = [invitation_input(f"ok{n}") for n in range(5)]
    payload = await send_many(gql, cast.admin_a, rows, atomic=True)
    assert payload["sentCount"] == 5
    assert len(await smtp.wait_for(5)) == 5


async def test_a_non_atomic_row_refused_under_the_lock_leaves_the_other_rows_sent(
    gql, cast, smtp, make
):
    await make.invitation(cast.tenant_a, username="taken")
    rows = [invitation_input("first"), invitation_input("taken"), invitation_input("third")]
    payload = await send_many(gql, cast.admin_a, rows)
    assert answers(payload)[1] == ("AlreadyExists", "username")
    assert payload["sentCount"] == 2
    assert set(await Invitation.all().values_list("username", flat=True)) == {
        "taken", "first", "third"
    }  # fmt: skip


@pytest.mark.parametrize("count", [0, 101])
async def test_an_empty_batch_or_one_over_100_rows_is_refused_whole(gql, cast, smtp, count):
    rows = [invitation_input(f"row{n}") for n in range(count)]
    payload = await send_many(gql, cast.admin_a, rows)
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "invitations")
    assert await Invitation.all().count() == 0


async def test_the_rate_limit_counts_rows_and_refuses_a_batch_larger_than_what_is_left(
    gql, cast, smtp
):
    def batch(start: int, size: int) -> list[dict[str, Any]]:
        return [invitation_input(f"r{n}") for n in range(start, start + size)]

    for start in (0, 100):
        assert (await send_many(gql, cast.admin_a, batch(start, 100)))["sentCount"] == 100
    assert (await send_many(gql, cast.admin_a, batch(200, 50)))["sentCount"] == 50
    refused = await send_many(gql, cast.admin_a, batch(250, 100))
    assert refused["__typename"] == "RateLimited" and refused["retryAfterSeconds"] >= 1
    assert await Invitation.all().count() == 250
    # The refused batch counted nothing: the 50 rows left still go.
    assert (await send_many(gql, cast.admin_a, batch(250, 50)))["sentCount"] == 50


@pytest.mark.parametrize(
    ("role", "invitee_role", "answer"),
    [
        ("member", "MEMBER", "InvitationPayload"),
        ("member", "ADMIN", "ValidationError"),
        ("admin", "ADMIN", "InvitationPayload"),
        ("superuser", "ADMIN", "InvitationPayload"),
        ("other_admin", "ADMIN", "InvitationPayload"),
    ],
)
async def test_each_role_invites_into_its_own_tenant_within_its_role_cap(
    gql, cast, smtp, role, invitee_role, answer
):
    caller = cast.by_role(role)
    payload = await send_many(gql, caller, [invitation_input("zed", role=invitee_role)])
    assert payload["results"][0]["result"]["__typename"] == answer
    if answer == "InvitationPayload":
        invitation = await Invitation.get(username="zed")
        assert invitation.tenant_id == caller.user.tenant_id


async def test_guests_and_anonymous_callers_may_not_send_batches(gql, cast, smtp):
    rows = {"input": {"invitations": [invitation_input("zed")]}}
    assert (await gql(SEND_MANY, rows, as_=cast.guest_a)).codes == ["FORBIDDEN"]
    assert (await gql(SEND_MANY, rows)).codes == ["UNAUTHENTICATED"]
    assert await Invitation.all().count() == 0


async def test_an_api_token_may_not_send_batches(gql, cast, smtp, make):
    secret = await token_of(make, cast.admin_a)
    rows = {"input": {"invitations": [invitation_input("zed")]}}
    refused_as_a_token_request(await gql(SEND_MANY, rows, token=secret))
    assert await Invitation.all().count() == 0


async def test_an_admin_naming_another_tenant_in_a_row_gets_that_row_refused(gql, cast, smtp):
    rows = [invitation_input("mine"), invitation_input("theirs", tenantId=str(cast.tenant_b.id))]
    payload = await send_many(gql, cast.admin_a, rows)
    assert answers(payload) == {0: ("InvitationPayload", None), 1: ("ValidationError", "tenantId")}
    assert await Invitation.filter(tenant_id=cast.tenant_b.id).count() == 0


async def test_a_superusers_batch_may_invite_one_name_into_two_tenants(gql, cast, smtp):
    rows = [
        invitation_input("sam", role="ADMIN"),
        invitation_input("sam", role="ADMIN", tenantId=str(cast.tenant_b.id)),
        invitation_input("sam", role="ADMIN", tenantId=str(cast.tenant_b.id)),
    ]
    payload = await send_many(gql, cast.superuser, rows)
    assert [a[0] for a in answers(payload).values()] == [
        "InvitationPayload", "InvitationPayload", "AlreadyExists"
    ]  # fmt: skip
    tenants = await Invitation.filter(username="sam").values_list("tenant_id", flat=True)
    assert sorted(map(str, tenants)) == sorted([str(cast.tenant_a.id), str(cast.tenant_b.id)])
    assert (await Invitation.get(username="sam", tenant_id=cast.tenant_b.id)).role is Role.ADMIN


async def test_without_a_mail_server_every_row_answers_email_not_configured(gql, cast):
    payload = await send_many(gql, cast.admin_a, [invitation_input("a"), invitation_input("b")])
    assert answers(payload) == {0: ("EmailNotConfigured", None), 1: ("EmailNotConfigured", None)}
    assert await Invitation.all().count() == 0


@pytest.mark.postgres
async def test_concurrent_batches_of_the_same_names_invite_each_name_once(gql, cast, smtp):
    rows = [invitation_input(f"race{n}") for n in range(20)]
    payloads = await asyncio.gather(*(send_many(gql, cast.admin_a, rows) for _ in range(4)))
    kinds = [row["result"]["__typename"] for p in payloads for row in p["results"]]
    assert kinds.count("InvitationPayload") == 20
    assert kinds.count("AlreadyExists") == 60
    assert await Invitation.all().count() == 20
