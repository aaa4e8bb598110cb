"""Reading the audit trail: admins their tenant's events, superusers everyone's. Read-only.

Filters (actions, actor, target, time, tenant) narrow it; each has an index ending in the
log's order (models/audit.py), so a filtered page over a million events is read from an index
and stops after the page. The export reads the same events in batches (`event_batches`), so
any size is streamed in constant memory.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from domain import validation
from domain.errors import Forbidden, NotFound, ValidationFailed
from models import AuditEvent
from permissions.rules import Actor, Op, Scope, may_see_user, scope

# More actions than this in one filter is not a question anyone asks (there are about 40).
MAX_ACTIONS = 50
# Rows per query of the export: enough that the round trips cost little, few enough that a
# batch is small in memory.
EXPORT_BATCH = 500
_LENGTHS = {
    name: AuditEvent._meta.fields_map[name].max_length  # type: ignore[attr-defined]
    for name in ("action", "target_type", "target_id")
}


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """The events wanted: each given part narrows the log (all of them at once). `since` is
    inclusive, `until` exclusive."""

    actions: Sequence[str] = ()
    actor_id: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    tenant_id: str | None = None


def events_in_reach(actor: Actor) -> QuerySet[AuditEvent]:
    """Newest first is the caller's ordering (paginate on `at`, descending)."""
    match scope(actor, Op.AUDIT_LOG):
        case Scope.ANY:
            return AuditEvent.all()
        case Scope.TENANT:
            return AuditEvent.filter(tenant_id=actor.tenant_id)
        case _:
            raise Forbidden()


def filtered_events(actor: Actor, wanted: AuditFilter) -> QuerySet[AuditEvent]:
    """The events in the caller's reach that match the filter; ValidationFailed (naming the
    filter's field) for a filter no event could match by its form: an ID that is not one,
    text longer than its column, a time without its zone, `since` after `until`."""
    return _narrowed(events_in_reach(actor), wanted)


def _narrowed(query: QuerySet[AuditEvent], wanted: AuditFilter) -> QuerySet[AuditEvent]:
    if wanted.actions:
        if len(wanted.actions) > MAX_ACTIONS:
            raise ValidationFailed(f"At most {MAX_ACTIONS} actions.", "actions")
        query = query.filter(
            action__in=[_text(action, "action", "actions") for action in wanted.actions]
        )
    if wanted.actor_id is not None:
        query = query.filter(actor_id=_object_id(wanted.actor_id, "actorId"))
    if wanted.tenant_id is not None:
        # A tenant admin naming another tenant finds nothing: their reach is their tenant.
        query = query.filter(tenant_id=_object_id(wanted.tenant_id, "tenantId"))
    if wanted.target_type is not None:
        query = query.filter(target_type=_text(wanted.target_type, "target_type", "targetType"))
    if wanted.target_id is not None:
        query = query.filter(target_id=_text(wanted.target_id, "target_id", "targetId"))
    since = _aware(wanted.since, "since")
    until = _aware(wanted.until, "until")
    if since is not None and until is not None and since > until:
        raise ValidationFailed("`since` must not be after `until`.", "since")
    if since is not None:
        query = query.filter(at__gte=since)
    if until is not None:
        query = query.filter(at__lt=until)
    return query


def _object_id(value: str, field: str) -> uuid.UUID:
    try:
        return validation.object_id(value)
    except NotFound:
        raise ValidationFailed(f"`{field}` is not an ID.", field) from None


def _text(value: str, column: str, field: str) -> str:
    if not value or len(value) > _LENGTHS[column] or not validation.storable(value):
        raise ValidationFailed(
            f"`{field}` must be 1 to {_LENGTHS[column]} characters of text.", field
        )
    return value


def _aware(value: datetime | None, field: str) -> datetime | None:
    # A time without its zone means a different instant on every server: refused.
    if value is not None and value.utcoffset() is None:
        raise ValidationFailed(f"`{field}` must give its time zone (as `Z` or `+01:00`).", field)
    return value


# What the export writes of each event, in the contract's order (contract-v2.graphql).
EXPORT_COLUMNS = (
    "id",
    "at",
    "tenantId",
    "actorId",
    "actorName",
    "action",
    "targetType",
    "targetId",
    "clientAddress",
    "userAgent",
    "requestId",
    "changes",
)
_ROW_COLUMNS = (
    "id",
    "at",
    "tenant_id",
    "actor_id",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "client_address",
    "user_agent",
    "request_id",
    "changes",
    "actor__tenant_id",
)


def event_batches(
    actor: Actor, wanted: AuditFilter, *, batch: int = EXPORT_BATCH
) -> AsyncIterator[list[dict[str, Any]]]:
    """The export: every matching event in the caller's reach, newest first, in batches of
    plain rows keyed as EXPORT_COLUMNS. Forbidden and ValidationFailed are raised here, at
    the call, before anything is read or sent."""
    return _batches(filtered_events(actor, wanted), actor, batch)


def every_event_batches(
    wanted: AuditFilter, *, batch: int = EXPORT_BATCH
) -> AsyncIterator[list[dict[str, Any]]]:
    """The operator's export (`tenantry audit-export`, run on the server): every matching
    event of the instance."""
    return _batches(_narrowed(AuditEvent.all(), wanted), None, batch)


async def _batches(
    query: QuerySet[AuditEvent], reader: Actor | None, batch: int
) -> AsyncIterator[list[dict[str, Any]]]:
    """Keyset pagination on (at, id): each batch is one indexed query starting below the last
    row of the one before, so memory stays one batch whatever the log's size, and events
    written meanwhile neither repeat nor shift rows."""
    last: tuple[datetime, Any] | None = None
    while True:
        page = query
        if last is not None:
            at, row_id = last
            # `at <= x` on its own lets the database start its index scan at the cursor.
            page = page.filter(Q(at__lte=at), Q(at__lt=at) | Q(at=at, id__lt=row_id))
        rows = await page.order_by("-at", "-id").limit(batch).values(*_ROW_COLUMNS)
        if not rows:
            return
        last = (rows[-1]["at"], rows[-1]["id"])
        yield [_exported(reader, row) for row in rows]
        if len(rows) < batch:
            return


def _exported(actor: Actor | None, row: dict[str, Any]) -> dict[str, Any]:
    actor_id, actor_tenant = row["actor_id"], row["actor__tenant_id"]
    # Like AuditEvent.actor in the API: an actor the reader may not see shows by name only.
    shown = actor_id is not None and (
        actor is None or may_see_user(actor, user_id=actor_id, tenant_id=actor_tenant)
    )
    return {
        "id": str(row["id"]),
        "at": row["at"].isoformat(),
        "tenantId": str(row["tenant_id"]) if row["tenant_id"] is not None else None,
        "actorId": str(actor_id) if shown else None,
        "actorName": row["actor_name"],
        "action": row["action"],
        "targetType": row["target_type"],
        "targetId": row["target_id"],
        "clientAddress": row["client_address"],
        "userAgent": row["user_agent"],
        "requestId": row["request_id"],
        "changes": row["changes"],
    }
