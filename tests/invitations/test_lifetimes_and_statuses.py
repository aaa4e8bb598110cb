"""Per-invitation lifetimes (expiresInHours on sendInvitation, sendInvitations and
resendInvitation) and invitations(status:): PENDING, EXPIRED and FAILED split the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models import EmailStatus, Invitation
from tests.invitations.helpers import invitation_input, invite
from tests.invitations.queries import LIST_BY_STATUS, RESEND_FOR, SEND, SEND_MANY


def hours_left(expires_at: str) -> float:
    return (datetime.fromisoformat(expires_at) - datetime.now(UTC)) / timedelta(hours=1)


async def test_an_invitation_lasts_the_hours_it_was_sent_with(gql, cast, smtp):
    invitation = await invite(gql, cast.admin_a, expiresInHours=2)
    assert 1.9 < hours_left(invitation["expiresAt"]) <= 2


async def test_without_expires_in_hours_an_invitation_lasts_the_tenants_lifetime(gql, cast, smtp):
    cast.tenant_a.invitation_ttl_hours = 10
    await cast.tenant_a.save(update_fields=["invitation_ttl_hours"])
    invitation = await invite(gql, cast.admin_a)
    assert 9.9 < hours_left(invitation["expiresAt"]) <= 10


async def test_each_row_of_a_batch_has_its_own_lifetime(gql, cast, smtp):
    rows = [
        invitation_input("short", expiresInHours=1),
        invitation_input("long", expiresInHours=720),
    ]
    payload = (await gql(SEND_MANY, {"input": {"invitations": rows}}, as_=cast.admin_a)).payload(
        "sendInvitations"
    )
    short, long = (row["result"]["invitation"]["expiresAt"] for row in payload["results"])
    assert 0.9 < hours_left(short) <= 1 and 719.9 < hours_left(long) <= 720


@pytest.mark.parametrize("hours", [0, -1, 721, 2**31 - 1])
async def test_a_lifetime_outside_1_to_720_hours_is_refused(gql, cast, smtp, hours):
    result = await gql(SEND, {"input": invitation_input(expiresInHours=hours)}, as_=cast.admin_a)
    payload = result.payload("sendInvitation")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "expiresInHours")
    assert await Invitation.all().count() == 0


async def test_resending_with_expires_in_hours_renews_for_that_long(gql, cast, smtp):
    invitation = await invite(gql, cast.admin_a)
    resent = (
        await gql(RESEND_FOR, {"id": invitation["id"], "hours": 3}, as_=cast.admin_a)
    ).payload("resendInvitation")
    assert 2.9 < hours_left(resent["invitation"]["expiresAt"]) <= 3


@pytest.mark.parametrize("hours", [0, 721])
async def test_resending_with_a_lifetime_out_of_range_changes_nothing(gql, cast, smtp, hours):
    invitation = await invite(gql, cast.admin_a)
    before = await Invitation.get(id=invitation["id"])
    result = await gql(RESEND_FOR, {"id": invitation["id"], "hours": hours}, as_=cast.admin_a)
    payload = result.payload("resendInvitation")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "expiresInHours")
    after = await Invitation.get(id=invitation["id"])
    assert after.expires_at == before.expires_at and after.email_status == before.email_status


async def one_of_each_status(make, cast) -> None:
    now = datetime.now(UTC)
    for username, email_status, expires_at in [
        ("queued", EmailStatus.PENDING, now + timedelta(hours=1)),
        ("delivered", EmailStatus.SENT, now + timedelta(hours=1)),
        ("bounced", EmailStatus.FAILED, now + timedelta(hours=1)),
        ("lapsed", EmailStatus.SENT, now - timedelta(hours=1)),
        ("lapsed_and_bounced", EmailStatus.FAILED, now - timedelta(hours=1)),
    ]:
        invitation = await make.invitation(cast.tenant_a, username=username)
        invitation.email_status, invitation.expires_at = email_status, expires_at
        await invitation.save(update_fields=["email_status", "expires_at"])


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("PENDING", {"queued", "delivered"}),
        ("EXPIRED", {"lapsed", "lapsed_and_bounced"}),
        ("FAILED", {"bounced"}),
        (None, {"queued", "delivered", "bounced", "lapsed", "lapsed_and_bounced"}),
    ],
)
async def test_invitations_by_status(gql, cast, make, status, expected):
    await one_of_each_status(make, cast)
    listed = (await gql(LIST_BY_STATUS, {"status": status}, as_=cast.admin_a)).ok()["invitations"]
    assert {edge["node"]["username"] for edge in listed["edges"]} == expected
    assert listed["totalCount"] == len(expected)
