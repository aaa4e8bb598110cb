"""Webhook deliveries, queued in the transaction of the event they tell.

`domain/audit.py` calls `enqueue_webhooks` for every event it records: one `WebhookDelivery`
row per enabled hook that listens for the event (the tenant's hooks for the tenant's events,
instance-wide hooks for all), written with the audit row, so a rolled-back change sends
nothing and a committed one is never lost. The worker (domain/webhook_delivery.py) sends them.

The body, one shape for every event (docs/admins/webhooks.md):
    {"type": <event>, "timestamp": <RFC 3339>,
     "data": {"tenantId", "actorId", "targetType", "targetId", "auditEventId", "changes": {...}}}
`changes` is the audit event's, which never holds a secret (audit.py writes "<set>" instead).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from tortoise.expressions import Q

from domain.audit_actions import events_of
from domain.sending_worker import SendingWorker
from models import AuditEvent, DeliveryStatus, User, Webhook, WebhookDelivery

log = logging.getLogger("tenantry.webhooks")

# This process's delivery loop (run by domain/webhook_delivery.py): its claims, its wake-up
# (a delivery was queued) and its shutdown.
worker = SendingWorker("webhook", WebhookDelivery, DeliveryStatus.PENDING, log)
wake = worker.wake


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def body(
    event: str,
    at: datetime,
    *,
    tenant_id: uuid.UUID | None,
    actor_id: uuid.UUID | None,
    target_type: str | None,
    target_id: str | None,
    audit_event_id: uuid.UUID | None,
    changes: dict[str, Any] | None,
) -> str:
    def text(value: uuid.UUID | str | None) -> str | None:
        return str(value) if value is not None else None

    return orjson.dumps(
        {
            "type": event,
            "timestamp": rfc3339(at),
            "data": {
                "tenantId": text(tenant_id),
                "actorId": text(actor_id),
                "targetType": target_type,
                "targetId": target_id,
                "auditEventId": text(audit_event_id),
                "changes": changes or {},
            },
        },
        default=str,
    ).decode()


def _listening(tenant_id: uuid.UUID | None) -> Q:
    mine = Q(tenant_id__isnull=True)
    return mine | Q(tenant_id=tenant_id) if tenant_id is not None else mine


async def _tenant_of(user_id: uuid.UUID) -> uuid.UUID | None:
    rows = await User.filter(id=user_id).values_list("tenant_id", flat=True)
    return rows[0] if rows else None


async def enqueue_webhooks(event: AuditEvent) -> list[WebhookDelivery]:
    """Call inside the transaction that recorded `event` (audit.record does)."""
    tenant_id = event.tenant_id  # type: ignore[attr-defined]
    names = events_of(event.action, event.changes)
    hooks = await Webhook.filter(_listening(tenant_id), enabled=True).order_by("created_at")
    queued: list[WebhookDelivery] = []
    actor_id = event.actor_id  # type: ignore[attr-defined]
    actor_tenant = await _tenant_of(actor_id) if hooks and actor_id is not None else None
    for hook in hooks:
        # As the audit log shows it to the hook's readers: a tenant's admins see the users of
        # their tenant, not the superuser of another tenant who acted in it (only the name,
        # which the payload does not carry).
        shown = hook.tenant_id is None or actor_tenant == hook.tenant_id  # type: ignore[attr-defined]
        for name in names:
            if name not in hook.events:
                continue
            payload = body(
                name, event.at, tenant_id=tenant_id,
                actor_id=actor_id if shown else None,
                target_type=event.target_type, target_id=event.target_id,
                audit_event_id=event.id, changes=event.changes,
            )  # fmt: skip
            queued.append(await queue(hook, name, payload))
    return queued


async def queue(
    hook: Webhook, event: str, payload: str, message_id: str | None = None
) -> WebhookDelivery:
    """One delivery, due now, in order behind the hook's earlier ones."""
    delivery = await WebhookDelivery.create(
        webhook=hook,
        event=event,
        message_id=message_id or new_message_id(),
        payload=payload,
        status=DeliveryStatus.PENDING,
        next_attempt_at=datetime.now(UTC),
    )
    # Before a commit the worker finds nothing and looks again at its next poll.
    wake()
    return delivery
