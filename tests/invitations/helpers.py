"""Steps of the invitation flow, taken through the API as people would take them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.outbox import deliver_due_mail
from models import Invitation
from tests.invitations.queries import SEND
from tests.smtp_server import SmtpServer, token_in

PASSWORD = "a long and private passphrase"


def invitation_input(username: str = "nina", **overrides: Any) -> dict[str, Any]:
    return {"username": username, "email": f"{username}@invitee.example", "role": "MEMBER",
            **overrides}  # fmt: skip


async def invite(gql: Any, as_: Any, username: str = "nina", **overrides: Any) -> dict[str, Any]:
    result = await gql(SEND, {"input": invitation_input(username, **overrides)}, as_=as_)
    payload = result.payload("sendInvitation")
    assert payload["__typename"] == "InvitationPayload", payload
    return payload["invitation"]


async def mailed_token(smtp: SmtpServer, count: int = 1) -> str:
    messages = await smtp.wait_for(count)
    return token_in(messages[count - 1], "/accept-invitation")


async def email_status(invitation_id: str) -> Invitation:
    return await Invitation.get(id=invitation_id)


async def run_retries_until_settled(invitation_id: str, passes: int = 20) -> Invitation:
    """Step over the backoff: each pass happens 'later' than every retry time so far."""
    later = datetime.now(UTC)
    for _ in range(passes):
        invitation = await Invitation.get(id=invitation_id)
        if invitation.email_status.value != "pending":
            return invitation
        later += timedelta(hours=2)
        await deliver_due_mail(now=later)
    return await Invitation.get(id=invitation_id)
