"""A frontend watches an invitation's e-mail go out: PENDING, then SENT or FAILED."""

from __future__ import annotations

from typing import Any

from tests.factories import Cast
from tests.invitations.helpers import run_retries_until_settled
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
