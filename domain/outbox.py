"""The mail outbox: messages written in the same transaction as their cause, sent afterwards.

Nothing in a request waits for SMTP. `enqueue` adds a row inside the caller's transaction;
the server's background worker (`run_worker`, one per process) claims due rows one at a time
with a conditional UPDATE on `claimed_until`, so two processes never send one message at the
same time, and a row whose claim lapsed (a process died mid-send) is picked up again. Failures are
retried with exponential backoff up to `mail_max_attempts`; the invitation a message belongs
to shows the outcome (`email_status`, `email_error`, `last_sent_at`).

On shutdown (`stop`, then `hand_back_claims`) a process takes no new row, finishes the message
it is sending and records it, and clears the claims it still holds, so the next process sends
them at once, neither a second time nor only after the lease.

A message may still arrive twice: the server took it but the answer was lost (a timeout), or
the process died before recording it. Every attempt carries the same Message-ID, made from the
row's ID, so the receiving side can recognise the copy.

Stored messages keep the link as a placeholder: the link is derived from the invitation's or
user's nonce with the secret key just before sending, so the table holds no live token.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from config import get_config
from domain import mail, user_links
from domain.errors import EmailDeliveryFailed, EmailNotConfigured
from domain.events import ChangeKind, invitation_change, publish
from domain.secrets import signed_link_token
from domain.sending_worker import SendingWorker, backoff
from domain.smtp_settings import current_server
from models import EmailStatus, Invitation, MailKind, OutboxMail, User

log = logging.getLogger("tenantry.outbox")

# Sent messages are kept a while (they hold no live link) for looking into delivery questions.
KEEP_SENT = timedelta(days=30)
PRUNE_EVERY = timedelta(hours=1)

# This process's sending loop: its claims, its wake-up and its shutdown.
_worker = SendingWorker("mail", OutboxMail, EmailStatus.PENDING, log)
wake = _worker.wake
stop = _worker.stop
hand_back_claims = _worker.hand_back_claims


def claim_lease() -> timedelta:
    # Longer than one send can take (mail.send bounds it at three timeouts).
    return timedelta(seconds=get_config().mail_timeout_seconds * 3 + 30)


async def enqueue(
    connection: BaseDBAsyncClient,
    kind: MailKind,
    message: mail.Message,
    *,
    invitation_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
) -> OutboxMail:
    """Call inside the transaction that creates the cause; call `wake()` after the commit."""
    return await OutboxMail.create(
        using_db=connection,
        kind=kind,
        to_address=message.to,
        subject=message.subject,
        text_body=message.text,
        html_body=message.html,
        invitation_id=invitation_id,
        user_id=user_id,
        next_attempt_at=datetime.now(UTC),
    )


async def cancel_pending(connection: BaseDBAsyncClient, invitation_id: uuid.UUID) -> None:
    """Drop unsent mail of an invitation (before a resend queues a fresh one)."""
    await (
        OutboxMail.filter(invitation_id=invitation_id, status=EmailStatus.PENDING)
        .using_db(connection)
        .delete()
    )


def message_id(row_id: uuid.UUID) -> str:
    """The same on every attempt, from any process."""
    return mail.message_id(f"outbox-{row_id}")


def _claimable(now: datetime) -> Q:
    return Q(status=EmailStatus.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


async def _claim_next(now: datetime) -> tuple[OutboxMail, datetime] | None:
    """Take one due row; the UPDATE only succeeds for the process that saw it unclaimed."""
    for _ in range(20):
        row = await OutboxMail.filter(_claimable(now)).order_by("next_attempt_at", "id").first()
        if row is None:
            return None
        # Unique per claim: the finishing UPDATE checks it, so a process whose lease
        # lapsed cannot overwrite the outcome of the one that took over.
        until = now + claim_lease() + timedelta(microseconds=uuid.uuid4().int % 1_000_000)
        taken = await OutboxMail.filter(Q(id=row.id) & _claimable(now)).update(claimed_until=until)
        if taken == 1:
            row.claimed_until = until
            _worker.claimed(row.id, until)
            return row, until
    return None


# Mail that links to a page, by the user link it carries.
_USER_LINKS = {
    MailKind.VERIFICATION: user_links.VERIFICATION,
    MailKind.PASSWORD_RESET: user_links.PASSWORD_RESET,
    MailKind.EMAIL_CHANGE: user_links.EMAIL_CHANGE,
}
# Mail that tells and carries no link: sent as written.
_WITHOUT_LINK = frozenset({MailKind.EMAIL_CHANGE_NOTICE, MailKind.WEBHOOK_DISABLED})


async def _link_for(row: OutboxMail) -> str | None:
    """The live link, derived again from the nonce; None when its cause is gone or used."""
    if row.kind is MailKind.INVITATION and row.invitation_id is not None:  # type: ignore[attr-defined]
        invitation = await Invitation.get_or_none(id=row.invitation_id)  # type: ignore[attr-defined]
        if invitation is None:
            return None
        token = signed_link_token("invitation", str(invitation.id), invitation.nonce)
        return mail.invitation_link(token)
    link = _USER_LINKS.get(row.kind)
    if link is not None and row.user_id is not None:  # type: ignore[attr-defined]
        user = await User.get_or_none(id=row.user_id)  # type: ignore[attr-defined]
        return link.url(user) if user is not None else None
    return None


async def _attempt(row: OutboxMail) -> None:
    link = None if row.kind in _WITHOUT_LINK else await _link_for(row)
    # Read after the link: a resend or a repeated sign-up deletes this row and changes the
    # nonce in one transaction, so a row still here means the link matches its text.
    obsolete = link is None and row.kind not in _WITHOUT_LINK
    if obsolete or not await OutboxMail.exists(id=row.id):
        raise _Obsolete()
    server = await current_server()
    if server is None:
        raise EmailNotConfigured()
    message = mail.Message(
        row.to_address, row.subject, row.text_body, row.html_body, message_id=message_id(row.id)
    )
    await mail.send(server, message.with_link(link) if link is not None else message)


class _Obsolete(Exception):
    """The invitation was accepted or revoked, or the address verified, before sending."""


async def _deliver(row: OutboxMail, claim: datetime, now: datetime) -> None:
    await _deliver_claimed(row, claim, now)
    _worker.recorded(row.id)


async def _deliver_claimed(row: OutboxMail, claim: datetime, now: datetime) -> None:
    mine = OutboxMail.filter(id=row.id, claimed_until=claim)
    invitation_id = row.invitation_id  # type: ignore[attr-defined]
    try:
        await _attempt(row)
    except _Obsolete:
        await mine.delete()
        return
    except (EmailDeliveryFailed, EmailNotConfigured) as exc:
        attempts = row.attempts + 1
        if attempts >= get_config().mail_max_attempts:
            gave_up = await mine.update(
                status=EmailStatus.FAILED, attempts=attempts, last_error=exc.message,
                claimed_until=None,
            )  # fmt: skip
            # Only the claim's holder reports: a process whose lease lapsed stays silent.
            if gave_up and invitation_id is not None:
                await Invitation.filter(id=invitation_id).update(
                    email_status=EmailStatus.FAILED, email_error=exc.message
                )
                await _announce(invitation_id)
        else:
            await mine.update(
                attempts=attempts, last_error=exc.message, claimed_until=None,
                next_attempt_at=now + backoff(attempts),
            )  # fmt: skip
        log.warning("mail %s attempt %d failed: %s", row.id, attempts, exc.message)
        return
    sent_at = datetime.now(UTC)
    updated = await mine.update(
        status=EmailStatus.SENT, attempts=row.attempts + 1, sent_at=sent_at,
        last_error=None, claimed_until=None,
    )  # fmt: skip
    if updated and invitation_id is not None:
        await Invitation.filter(id=invitation_id).update(
            email_status=EmailStatus.SENT, email_error=None, last_sent_at=sent_at
        )
        await _announce(invitation_id)


async def _announce(invitation_id: uuid.UUID) -> None:
    """The invitation's delivery status changed (subscribers see PENDING become SENT or FAILED)."""
    invitation = await Invitation.get_or_none(id=invitation_id)
    if invitation is not None:
        await publish(invitation_change(ChangeKind.UPDATED, invitation))


def _never() -> bool:
    return False


async def deliver_due_mail(
    now: datetime | None = None, *, stopping: Callable[[], bool] = _never
) -> int:
    """One pass: send every message due at `now` (default: the current time). Returns how
    many were attempted. Tests pass a later `now` to step over the backoff."""
    now = now or datetime.now(UTC)
    done = 0
    while not stopping() and (claimed := await _claim_next(now)) is not None:
        row, claim = claimed
        await _deliver(row, claim, now)
        done += 1
    return done


async def prune_sent_mail(now: datetime | None = None) -> int:
    cutoff = (now or datetime.now(UTC)) - KEEP_SENT
    return await OutboxMail.filter(status=EmailStatus.SENT, sent_at__lt=cutoff).delete()


async def run_worker() -> None:
    """The server's mail worker: deliver, then sleep until woken or the next poll. Returns
    after `stop()`."""
    await _worker.run(
        lambda stopping: deliver_due_mail(stopping=stopping),
        prune_sent_mail,
        PRUNE_EVERY,
        get_config().outbox_poll_seconds,
    )
