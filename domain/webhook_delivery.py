"""The webhook worker: sends queued deliveries, off the request path, like the mail outbox.

Each server process runs one (`run_worker`). A delivery is claimed with a conditional UPDATE
on `claimed_until`, so two processes never send one at the same time, and a claim that lapsed
(its process died mid-send) is taken over. A hook's deliveries go out in the order of their
events: a delivery waits while an earlier one of its hook is pending (being retried).

One attempt: the URL's host is resolved and checked again (domain/webhook_addresses.py) and
the request goes to the address checked, never resolved twice; signed per Standard Webhooks
(webhook-id, webhook-timestamp, webhook-signature); redirects are not followed; a 2xx answer
within the timeout is a success, anything else a failure. Failures are retried with backoff
(the first within a minute) for a day from the event, then the delivery is FAILED. A hook
whose deliveries have failed for three days without a success is disabled, and its tenant's
admins (the superusers, for an instance-wide hook) are mailed through the outbox.

On shutdown (`stop`, then `hand_back_claims`) a process takes no new delivery, finishes the one
it is sending and records it, and clears the claims it still holds, so the next process sends
them at once rather than after the lease.

A delivery may still arrive twice (the receiver's answer was lost, or the process died before
recording it): every attempt carries the same webhook-id, so receivers can drop the copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
from standardwebhooks.webhooks import Webhook as Signer
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from config import get_config
from domain import audit, mail, outbox, webhook_queue
from domain.secrets import decrypt
from domain.sending_worker import backoff
from domain.tracing import outgoing_call, trace_headers
from domain.webhook_addresses import AddressRefused, approved_address, parse_url
from models import DeliveryStatus, MailKind, Role, User, Webhook, WebhookDelivery

log = logging.getLogger("tenantry.webhooks")

RETRY_FOR = timedelta(days=1)
DISABLE_AFTER = timedelta(days=3)
KEEP_FINISHED = timedelta(days=30)
PRUNE_EVERY = timedelta(hours=1)
# Of the receiver's answer, kept for the deliveries list.
_ERROR_CHARS = 300
_CANDIDATES = 100
_worker = webhook_queue.worker
stop = _worker.stop
hand_back_claims = _worker.hand_back_claims


def claim_lease() -> timedelta:
    # Longer than one attempt can take: the resolution and the request, each bounded.
    return timedelta(seconds=get_config().webhook_timeout_seconds + 10)


def _claimable(now: datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


async def _first_of_its_hook(row: WebhookDelivery) -> bool:
    earlier = Q(created_at__lt=row.created_at) | Q(created_at=row.created_at, id__lt=row.id)
    return not await WebhookDelivery.filter(
        earlier,
        webhook_id=row.webhook_id,
        status=DeliveryStatus.PENDING,  # type: ignore[attr-defined]
    ).exists()


async def _claim_next(now: datetime) -> tuple[WebhookDelivery, datetime] | None:
    """Take one due delivery that is next in its hook's order."""
    rows = (
        await WebhookDelivery.filter(_claimable(now), webhook__enabled=True)
        .order_by("created_at", "id")
        .limit(_CANDIDATES)
    )
    blocked: set[object] = set()
    for row in rows:
        hook_id = row.webhook_id  # type: ignore[attr-defined]
        if hook_id in blocked or not await _first_of_its_hook(row):
            blocked.add(hook_id)
            continue
        # Unique per claim: the finishing UPDATE checks it, so a process whose lease lapsed
        # cannot overwrite the outcome of the one that took over.
        until = now + claim_lease() + timedelta(microseconds=time.monotonic_ns() % 1_000_000)
        taken = await WebhookDelivery.filter(Q(id=row.id) & _claimable(now)).update(
            claimed_until=until
        )
        if taken == 1:
            _worker.claimed(row.id, until)
            return row, until
        blocked.add(hook_id)
    return None


class _Failed(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _request_url(scheme: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address,
                 port: int, path: str) -> str:  # fmt: skip
    host = f"[{address}]" if address.version == 6 else str(address)
    return f"{scheme}://{host}:{port}{path}"


@contextlib.asynccontextmanager
async def _traced(host: str, port: int) -> AsyncIterator[None]:
    """A CLIENT span around the attempt when tracing is on (never the path or the body)."""
    with outgoing_call("webhook POST", {"server.address": host, "server.port": port}):
        yield


async def _send(hook: Webhook, row: WebhookDelivery) -> int:
    """One attempt; the receiver's status code, or _Failed."""
    target = parse_url(hook.url)
    try:
        address = await approved_address(target.host)
    except AddressRefused as refused:
        raise _Failed(str(refused)) from None
    secret = decrypt(hook.secret_encrypted)
    if secret is None:
        raise _Failed("The signing secret cannot be read (was the secret key changed?).")
    signed_at = datetime.now(UTC)
    default_port = 443 if target.scheme == "https" else 80
    named = f"[{target.host}]" if ":" in target.host else target.host  # an IPv6 literal
    headers = {
        "host": named if target.port == default_port else f"{named}:{target.port}",
        "content-type": "application/json",
        "user-agent": "Tenantry-Webhooks/1",
        "webhook-id": row.message_id,
        "webhook-timestamp": str(int(signed_at.timestamp())),
        "webhook-signature": Signer(secret).sign(row.message_id, signed_at, row.payload),
    }
    # The TLS server name (and the certificate checked) stay the host's, not the address's.
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    timeout = get_config().webhook_timeout_seconds
    try:
        # One bound for the whole attempt (httpx's is per read: a receiver dripping bytes
        # would outlast it); the answer's body is never read, however large.
        async with (
            asyncio.timeout(timeout),
            _traced(target.host, target.port),
            httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client,
            client.stream(
                "POST", _request_url(target.scheme, address, target.port, target.path),
                content=row.payload.encode(), headers={**headers, **trace_headers()},
                extensions=extensions,
            ) as response,
        ):  # fmt: skip
            status = response.status_code
    except (TimeoutError, httpx.TimeoutException):
        raise _Failed(f"No answer within {timeout:g} s.") from None
    except httpx.HTTPError as error:
        raise _Failed(f"Could not connect: {type(error).__name__}.") from None
    if not 200 <= status < 300:
        raise _Failed(f"The receiver answered {status}.", status)
    return status


async def _deliver(row: WebhookDelivery, claim: datetime, now: datetime) -> None:
    await _deliver_claimed(row, claim, now)
    _worker.recorded(row.id)


async def _deliver_claimed(row: WebhookDelivery, claim: datetime, now: datetime) -> None:
    mine = WebhookDelivery.filter(id=row.id, claimed_until=claim)
    hook = await Webhook.get_or_none(id=row.webhook_id)  # type: ignore[attr-defined]
    if hook is None:
        return  # deleted meanwhile: its deliveries went with it
    started = time.monotonic()
    try:
        status = await _send(hook, row)
    except _Failed as failure:
        latency = int((time.monotonic() - started) * 1000)
        attempts = row.attempts + 1
        gave_up = now - row.created_at >= RETRY_FOR
        # The hook's count goes first: whoever sees the attempt recorded (an admin's list
        # of deliveries, the next attempt) then also sees the hook counted as failing.
        await _count_failure(hook, now)
        await mine.update(
            attempts=attempts, response_status=failure.status, latency_ms=latency,
            last_error=failure.message[:_ERROR_CHARS], claimed_until=None,
            status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING,
            next_attempt_at=None if gave_up else now + backoff(attempts),
        )  # fmt: skip
        log.warning("webhook delivery %s attempt %d failed: %s", row.id, attempts, failure.message)
        return
    if hook.failing_since is not None:  # first, as for a failure
        await Webhook.filter(id=hook.id).update(failing_since=None)
    await mine.update(
        status=DeliveryStatus.SUCCEEDED, attempts=row.attempts + 1, response_status=status,
        latency_ms=int((time.monotonic() - started) * 1000), last_error=None,
        claimed_until=None, next_attempt_at=None,
    )  # fmt: skip


async def _count_failure(hook: Webhook, now: datetime) -> None:
    if hook.failing_since is None:
        await Webhook.filter(id=hook.id, failing_since__isnull=True).update(failing_since=now)
        return
    if now - hook.failing_since < DISABLE_AFTER:
        return
    reason = f"Every delivery failed for {DISABLE_AFTER.days} days."
    async with in_transaction() as connection:
        # Only one process disables it, and mails.
        if not await Webhook.filter(id=hook.id, enabled=True).update(
            enabled=False, disabled_reason=reason
        ):
            return
        await audit.record(
            None, "webhook.disabled", tenant_id=hook.tenant_id,  # type: ignore[attr-defined]
            target_type="webhook", target_id=hook.id, changes={"reason": reason},
        )  # fmt: skip
        for admin in await _admins_of(hook):
            await outbox.enqueue(
                connection, MailKind.WEBHOOK_DISABLED, _disabled_mail(admin, hook, reason),
                user_id=admin.id,
            )  # fmt: skip
    outbox.wake()


async def _admins_of(hook: Webhook) -> list[User]:
    tenant_id = hook.tenant_id  # type: ignore[attr-defined]
    who = Q(superuser=True) if tenant_id is None else Q(tenant_id=tenant_id, role=Role.ADMIN)
    admins = await User.filter(who, deactivated_at__isnull=True, email_verified=True)
    return [admin for admin in admins if admin.email]


def _disabled_mail(admin: User, hook: Webhook, reason: str) -> mail.Message:
    text = (
        f"Hello {admin.username},\n\n"
        f"The webhook to {hook.url} was disabled: {reason}\n"
        "Its deliveries are listed under webhookDeliveries. Once the receiver answers again, "
        "switch the hook on with updateWebhook (enabled: true); events from now on are sent "
        "again, and a failed delivery can be sent once more with redeliverWebhook.\n"
    )
    return mail.Message(admin.email, "A webhook was disabled", text)


def _never() -> bool:
    return False


async def deliver_due_webhooks(
    now: datetime | None = None, *, stopping: Callable[[], bool] = _never
) -> int:
    """One pass: attempt every delivery due at `now` (default: the current time), in order.
    Returns how many were attempted. Tests pass a later `now` to step over the backoff."""
    now = now or datetime.now(UTC)
    done = 0
    while not stopping() and (claimed := await _claim_next(now)) is not None:
        row, claim = claimed
        await _deliver(row, claim, now)
        done += 1
    return done


async def prune_finished(now: datetime | None = None) -> int:
    cutoff = (now or datetime.now(UTC)) - KEEP_FINISHED
    return await WebhookDelivery.filter(
        status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED], created_at__lt=cutoff
    ).delete()


async def run_worker() -> None:
    """The server's webhook worker: deliver, then sleep until woken or the next poll. Returns
    after `stop()`."""
    await _worker.run(
        lambda stopping: deliver_due_webhooks(stopping=stopping),
        prune_finished,
        PRUNE_EVERY,
        get_config().webhook_poll_seconds,
    )
