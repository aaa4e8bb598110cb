from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from models import AuditEvent as AuditEventModel
from schema.context import Info
from schema.plans import MISS, preloaded
from schema.types.node import Node
from schema.types.pagination import CURSOR, EDGES, PAGE_INFO, TOTAL_COUNT, PageInfo
from schema.types.tenants import Tenant

if TYPE_CHECKING:
    from schema.types.users import User


@strawberry.type(
    name="AuditEvent",
    description="A change, as the audit log keeps it: who, what, to which object, when.",
)
class AuditEvent(Node):
    at: datetime = strawberry.field(description="When the change was made.")
    action: str = strawberry.field(
        description="What was done, as `kind.what_happened` (for example `project.deleted`)."
    )
    target_type: str | None = strawberry.field(
        description="The kind of object changed (for example `user`); null when none."
    )
    target_id: strawberry.ID | None = strawberry.field(
        description="The ID of the object changed; it may no longer exist. Null when none."
    )
    actor_name: str | None = strawberry.field(
        description="The actor's username when the event was written; kept after they are gone."
    )
    changed_fields: list[str] = strawberry.field(
        description="Names of the fields the change set (secrets are never recorded)."
    )
    client_address: str | None = strawberry.field(
        description="The IP address the change came from; null for changes made outside a "
        "request (the command line, background jobs)."
    )
    user_agent: str | None = strawberry.field(
        description="The User-Agent header of the request the change came in (printable "
        "characters, at most 512); null when none."
    )
    request_id: str | None = strawberry.field(
        description="The ID of the request the change came in (its X-Request-ID, as the "
        "server's log lines carry it); null outside a request."
    )
    changes: str | None = strawberry.field(
        description="The changed fields and their new values as a JSON object (a secret "
        'shows as "<set>", never by value); null when the event names no fields.'
    )
    actor_id: strawberry.Private[uuid.UUID | None]
    tenant_id: strawberry.Private[uuid.UUID | None]
    # Set when the page preloaded them (resolvers/preload.py): the tenant, and the actor as
    # this reader is shown them.
    preloaded_tenant: strawberry.Private[Any] = MISS
    preloaded_actor: strawberry.Private[Any] = MISS

    @classmethod
    def from_model(cls, event: AuditEventModel) -> AuditEvent:
        return cls(
            id=strawberry.ID(str(event.id)),
            at=event.at,
            action=event.action,
            target_type=event.target_type,
            target_id=strawberry.ID(event.target_id) if event.target_id is not None else None,
            actor_name=event.actor_name,
            changed_fields=sorted(event.changes) if isinstance(event.changes, dict) else [],
            client_address=event.client_address,
            user_agent=event.user_agent,
            request_id=event.request_id,
            changes=json.dumps(event.changes, sort_keys=True) if event.changes else None,
            actor_id=event.actor_id,  # type: ignore[attr-defined]
            tenant_id=event.tenant_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(
        description="The tenant the change was made in, while it exists; null for changes "
        "to the instance (settings, tenants)."
    )
    def tenant(self, info: Info) -> Tenant | None:
        # Synchronous when preloaded; otherwise an awaitable the executor awaits.
        if self.preloaded_tenant is not MISS:
            return self.preloaded_tenant  # type: ignore[no-any-return]
        return self._load_tenant(info)  # type: ignore[return-value]

    async def _load_tenant(self, info: Info) -> Tenant | None:
        if self.tenant_id is None:
            return None
        tenant = await info.context.loaders.tenant.load(self.tenant_id)
        return Tenant.from_model(tenant) if tenant is not None else None

    @strawberry.field(
        description="Who acted, while that user exists and the reader may see them "
        "(a superuser from another tenant shows only as actorName to a tenant admin)."
    )
    def actor(self, info: Info) -> Annotated[User, strawberry.lazy("schema.types.users")] | None:
        if self.preloaded_actor is not MISS:
            return self.preloaded_actor  # type: ignore[no-any-return]
        return self._load_actor(info)  # type: ignore[return-value]

    async def _load_actor(self, info: Info) -> User | None:
        from schema.types.users import shown_user

        if self.actor_id is None:
            return None
        return shown_user(info.context.actor, await info.context.loaders.user.load(self.actor_id))


# What the plans read instead of calling `tenant` and `actor` (schema/plans.py).
preloaded("AuditEvent", "tenant", lambda event: event.preloaded_tenant)
preloaded("AuditEvent", "actor", lambda event: event.preloaded_actor)


@strawberry.type(description="An event in a page of the audit log, with its cursor.")
class AuditEventEdge:
    node: AuditEvent = strawberry.field(description="The event.")
    cursor: str = strawberry.field(description=CURSOR)


@strawberry.type(description="A page of the audit log, newest first (a Relay connection).")
class AuditEventConnection:
    edges: list[AuditEventEdge] = strawberry.field(description=EDGES)
    page_info: PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description=TOTAL_COUNT)


@strawberry.input(
    description="Which events to read: each part given narrows the log (events matching all "
    "of them); left out, every event in the caller's reach."
)
class AuditLogFilter:
    actions: list[str] | None = strawberry.field(
        default=None,
        description="Only events of these actions (for example `user.role_changed`); at most 50.",
    )
    actor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only changes made by this user."
    )
    target_type: str | None = strawberry.field(
        default=None, description="Only changes to objects of this kind (for example `user`)."
    )
    target_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only changes to the object of this ID (with targetType, to one object "
        "of that kind).",
    )
    since: datetime | None = strawberry.field(
        default=None,
        description="Only events at or after this time (with its time zone).",
    )
    until: datetime | None = strawberry.field(
        default=None,
        description="Only events before this time (with its time zone); not before `since`.",
    )
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Superusers: only this tenant's events. A tenant admin reads their own "
        "tenant's events whatever it says (another tenant's ID finds none).",
    )
