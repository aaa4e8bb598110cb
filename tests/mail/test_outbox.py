"""The outbox: claimed row by row, each message sent once, picked up again after a crash."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from config import configure
from domain import mail, outbox
from domain.outbox import backoff, deliver_due_mail
from domain.secrets import new_nonce
from models import EmailStatus, Invitation, MailKind, OutboxMail, Role
from tests.smtp_server import link_in


async def _invitation(
    cast, username: str = "nina", claimed_until: datetime | None = None
) -> Invitation:
    """An invitation and its mail written together, as sendInvitation does, left unsent."""
    async with in_transaction() as connection:
        invitation = await Invitation.create(
            using_db=connection, tenant=cast.tenant_a, username=username, username_key=username,
            email=f"{username}@invitee.example", email_key=f"{username}@invitee.example",
            role=Role.MEMBER, auth_method="password", invited_by=cast.admin_a.user,
            nonce=new_nonce(), expires_at=datetime.now(UTC) + timedelta(days=1),
        )  # fmt: skip
        message = mail.render(
            mail.MailTemplate.INVITATION, invitation.email, username=username, tenant="acme",
            inviter="alice", role="member", expires="soon",
        )  # fmt: skip
        row = await outbox.enqueue(
            connection, MailKind.INVITATION, message, invitation_id=invitation.id
        )
        if claimed_until is not None:  # before the commit: the app's worker never sees it free
            await (
                OutboxMail.filter(id=row.id)
                .using_db(connection)
                .update(claimed_until=claimed_until)
            )
    return invitation


@pytest.fixture
def configured(config) -> Iterator[object]:
    """Run with other settings: `configured(name=value)`; the session's come back after."""
    yield lambda **overrides: configure(config.model_copy(update=overrides))
    configure(config)


async def _attempted(invitation: Invitation) -> OutboxMail:
    for _ in range(200):
        await deliver_due_mail()
        row = await OutboxMail.get(invitation_id=invitation.id)
        if row.attempts:
            return row
        await asyncio.sleep(0.02)
    raise AssertionError("the message was never attempted")


async def test_concurrent_passes_send_each_message_once(cast, smtp):
    invitations = [await _invitation(cast, f"user{n}") for n in range(5)]
    counts = await asyncio.gather(*(deliver_due_mail() for _ in range(8)))
    await asyncio.sleep(0.2)
    await deliver_due_mail()
    assert len(smtp.messages) == 5
    assert sorted(m["To"] for m in smtp.messages) == sorted(i.email for i in invitations)
    assert sum(counts) <= 5
    assert await OutboxMail.filter(status=EmailStatus.SENT).count() == 5


async def test_a_row_claimed_by_a_live_process_is_left_alone(cast, smtp):
    await _invitation(cast, claimed_until=datetime.now(UTC) + timedelta(minutes=5))
    assert await deliver_due_mail() == 0
    assert smtp.messages == []


async def test_a_lapsed_claim_is_picked_up_again(cast, smtp):
    invitation = await _invitation(cast, claimed_until=datetime.now(UTC) - timedelta(seconds=1))
    await smtp.wait_for(1)
    row = await OutboxMail.get(invitation_id=invitation.id)
    assert row.status is EmailStatus.SENT and row.claimed_until is None


async def test_stored_mail_holds_a_placeholder_not_the_link(cast, smtp):
    invitation = await _invitation(cast)
    row = await OutboxMail.get(invitation_id=invitation.id)
    assert mail.LINK in row.text_body and "token=" not in row.text_body
    [message] = await smtp.wait_for(1)
    assert link_in(message, "/accept-invitation").startswith("http://tenantry.test/")


async def test_a_verification_mail_for_an_address_verified_meanwhile_is_dropped(cast, smtp, make):
    user = await make.user(cast.tenant_a, username="ana")  # verified, no nonce left
    async with in_transaction() as connection:
        message = mail.render(mail.MailTemplate.VERIFICATION, user.email, username="ana",
                              tenant="acme", expires="soon")  # fmt: skip
        await outbox.enqueue(connection, MailKind.VERIFICATION, message, user_id=user.id)
    await deliver_due_mail()
    await asyncio.sleep(0.1)
    assert smtp.messages == [] and await OutboxMail.all().count() == 0


async def test_retries_back_off_exponentially_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20) == timedelta(hours=1)


async def test_a_failed_attempt_waits_for_its_retry_time(cast, smtp_down):
    invitation = await _invitation(cast)
    before = datetime.now(UTC)
    await deliver_due_mail()
    for _ in range(100):
        row = await OutboxMail.get(invitation_id=invitation.id)
        if row.attempts:
            break
        await asyncio.sleep(0.02)
    assert row.attempts == 1 and row.status is EmailStatus.PENDING
    assert row.next_attempt_at >= before + timedelta(seconds=29)
    assert "Could not reach" in row.last_error
    assert (await Invitation.get(id=invitation.id)).email_status is EmailStatus.PENDING


async def test_sent_mail_is_pruned_after_thirty_days(cast, smtp):
    invitation = await _invitation(cast)
    await smtp.wait_for(1)
    for _ in range(100):
        if (await OutboxMail.get(invitation_id=invitation.id)).status is EmailStatus.SENT:
            break
        await asyncio.sleep(0.02)
    assert await outbox.prune_sent_mail() == 0
    assert await outbox.prune_sent_mail(datetime.now(UTC) + timedelta(days=31)) == 1
    assert await OutboxMail.all().count() == 0


async def test_a_message_sent_again_after_its_answer_was_lost_keeps_its_message_id(
    cast, smtp, configured
):
    configured(mail_timeout_seconds=0.2)
    invitation = await _invitation(cast)
    smtp.mailbox.answer_after_keeping_seconds = 1.0  # the server keeps it, then answers late
    failed = await _attempted(invitation)
    assert "did not answer in time" in failed.last_error
    smtp.mailbox.answer_after_keeping_seconds = 0
    await deliver_due_mail(datetime.now(UTC) + backoff(1) + timedelta(seconds=1))
    first, second = smtp.messages
    assert first["Message-ID"] == second["Message-ID"] == outbox.message_id(failed.id)


async def test_a_message_sent_again_after_a_crash_mid_send_keeps_its_message_id(cast, smtp):
    # Claimed until then by no one: out of the way of the app's own worker, which runs now.
    later = datetime.now(UTC) + timedelta(minutes=5)
    invitation = await _invitation(cast, claimed_until=later - timedelta(seconds=1))
    # Long enough to be cancelled while waiting (the client still waits for the answer).
    smtp.mailbox.answer_after_keeping_seconds = 0.5
    dying = asyncio.create_task(deliver_due_mail(later))
    for _ in range(500):
        if smtp.messages:
            break
        await asyncio.sleep(0.01)
    dying.cancel()  # the process dies after the server took the message, before recording it
    with contextlib.suppress(asyncio.CancelledError):
        await dying
    smtp.mailbox.answer_after_keeping_seconds = 0
    await deliver_due_mail(later + outbox.claim_lease() + timedelta(seconds=1))
    first, second = smtp.messages
    assert first["Message-ID"] == second["Message-ID"]
    assert (await OutboxMail.get(invitation_id=invitation.id)).status is EmailStatus.SENT


async def test_each_outbox_message_has_a_message_id_of_its_own(cast, smtp):
    await _invitation(cast, "nina")
    await _invitation(cast, "omar")
    first, second = await smtp.wait_for(2)
    assert first["Message-ID"] != second["Message-ID"]
    assert first["Message-ID"].endswith("@tenantry.test>")


@pytest.mark.parametrize(
    ("public_url", "domain"),
    [
        ("https://accounts.example.com:8443/base", "@accounts.example.com>"),
        ("http://[::1]:8000", "@[::1]>"),
        ("https://bücher.example", "@xn--bcher-kva.example>"),
    ],
)
async def test_a_message_id_names_the_host_of_the_public_url(configured, public_url, domain):
    configured(public_url=public_url)
    assert outbox.message_id(uuid.uuid4()).endswith(domain)
