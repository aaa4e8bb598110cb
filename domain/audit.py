"""Every change writes an audit event: who, what, to which object, when, which fields, and
from where (the client address, user agent and request ID of the request it came in, read
from models/request_context.py, so callers pass none of it)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from domain.webhook_queue import enqueue_webhooks
from models import AuditEvent
from models.request_context import current_request
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
    request = current_request.get()
    event = await AuditEvent.create(
        tenant_id=tenant_id,
        actor_id=actor.user_id if actor else None,
        actor_name=actor_name or (actor.username if actor else None),
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        changes=_without_secrets(changes) if changes else None,
        client_address=_shown(request.client_address, _ADDRESS_LENGTH),
        user_agent=_shown(request.user_agent, _USER_AGENT_LENGTH),
        request_id=_shown(request.request_id, _REQUEST_ID_LENGTH),
    )
    # The hooks that listen for it get a delivery, in this same transaction.
    await enqueue_webhooks(event)
    return event


def _length(field: str) -> int:
    return AuditEvent._meta.fields_map[field].max_length  # type: ignore[attr-defined,no-any-return]


_ADDRESS_LENGTH = _length("client_address")
_USER_AGENT_LENGTH = _length("user_agent")
_REQUEST_ID_LENGTH = _length("request_id")


def _shown(value: str | None, limit: int) -> str | None:
    """A header as the trail keeps it: printable characters only (it is the client's to
    fill, and a change must not fail over it), bounded to its column."""
    if not value:
        return None
    if not value.isprintable():
        value = "".join(character for character in value if character.isprintable())
    return value[:limit].strip() or None


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
