"""Every change writes an audit event: who, what, to which object, when, and which fields."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from domain.webhook_queue import enqueue_webhooks
from models import AuditEvent
from permissions.rules import Actor

# Field names whose values never enter the trail.
_SECRET_FIELDS = frozenset({"password", "privateKey", "private_key", "token", "secret"})


async def record(
    actor: Actor | None,
    action: str,
    *,
    tenant_id: uuid.UUID | None,
    target_type: str | None = None,
    target_id: uuid.UUID | str | None = None,
    changes: Mapping[str, Any] | None = None,
    actor_name: str | None = None,
) -> AuditEvent:
    event = await AuditEvent.create(
        tenant_id=tenant_id,
        actor_id=actor.user_id if actor else None,
        actor_name=actor_name or (actor.username if actor else None),
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        changes=_without_secrets(changes) if changes else None,
    )
    # The hooks that listen for it get a delivery, in this same transaction.
    await enqueue_webhooks(event)
    return event


def _without_secrets(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: ("<set>" if key in _SECRET_FIELDS else _plain(value)) for key, value in changes.items()
    }


def _plain(value: Any) -> Any:
    if hasattr(value, "value") and not isinstance(value, (int, str, bool, float)):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
