"""A frontend watches an invitation's e-mail go out: PENDING, then SENT or FAILED."""

from __future__ import annotations

from typing import Any

from tests.factories import Cast
from tests.invitations.helpers import run_retries_until_settled
from tests.invitations.queries import SEND_MANY
from tests.smtp_server import SmtpServer
from tests.subscriptions.client import signed_in
from tests.subscriptions.test_reach import INVITATIONS, invite, subscribed


async def test_an_invitation_is_seen_pending_then_sent(
    ws_url: str, gql: Any, cast: Cast, smtp: SmtpServer
) -> None:
    async with signed_in(ws_url, cast.admin_a.token) as conn:
        operation = await subscribed(conn, INVITATIONS)
        invitation = await invite(gql, cast.admin_a, "nina")
        created = await conn.data(operation, "invitationChanged")
        assert created["kind"] == "CREATED"
        assert created["invitation"] == {"username": "nina", "emailStatus": "PENDING"}
        # The process's outbox worker sends it (tests/smtp_server.py receives it).
        sent = await conn.data(operation, "invitationChanged")
        assert sent == {"kind": "UPDATED", "invitationId": invitation["id"],
                        "invitation": {"username": "nina", "emailStatus": "SENT"}}  # fmt: skip
        assert len(smtp.messages) == 1


async def test_an_invitation_whose_mail_cannot_go_is_seen_failed(
    ws_url: str, gql: Any, cast: Cast, smtp_down: SmtpServer
) -> None:
    async with signed_in(ws_url, cast.admin_a.token) as conn:
        operation = await subscribed(conn, INVITATIONS)
        invitation = await invite(gql, cast.admin_a, "nina")
        assert (await conn.data(operation, "invitationChanged"))["kind"] == "CREATED"
        await run_retries_until_settled(invitation["id"])
        failed = await conn.data(operation, "invitationChanged")
        assert failed["kind"] == "UPDATED"
        assert failed["invitation"]["emailStatus"] == "FAILED"


async def test_a_batch_is_seen_as_one_created_change_per_sent_row(
    ws_url: str, gql: Any, cast: Cast, smtp: SmtpServer
) -> None:
    rows = [{"username": name, "email": f"{name}@invitee.example", "role": "GUEST"}
            for name in ("ann", "ben", "ann")]  # fmt: skip
    async with signed_in(ws_url, cast.admin_a.token) as conn:
        operation = await subscribed(conn, INVITATIONS)
        result = await gql(SEND_MANY, {"input": {"invitations": rows}}, as_=cast.admin_a)
        assert result.payload("sendInvitations")["sentCount"] == 2
        created: list[str] = []
        for _ in range(6):  # the two CREATED, and the SENT updates between them
            change = await conn.data(operation, "invitationChanged")
            if change["kind"] == "CREATED":
                created.append(change["invitation"]["username"])
            if len(created) == 2:
                break
        assert sorted(created) == ["ann", "ben"]
