from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import AuditEvent as AuditEventModel
from permissions.rules import may_see_user
from schema.context import Info
from schema.types.node import Node
from schema.types.pagination import PageInfo

if TYPE_CHECKING:
    from schema.types.users import User


@strawberry.type(name="AuditEvent")
class AuditEvent(Node):
    id: strawberry.ID
    at: datetime
    action: str
    target_type: str | None
    target_id: strawberry.ID | None
    actor_name: str | None = strawberry.field(
        description="The actor's username when the event was written; kept after they are gone."
    )
    changed_fields: list[str] = strawberry.field(
        description="Names of the fields the change set (secrets are never recorded)."
    )
    actor_id: strawberry.Private[uuid.UUID | None]

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
            actor_id=event.actor_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(
        description="Who acted, while that user exists and the reader may see them "
        "(a superuser from another tenant shows only as actorName to a tenant admin)."
    )
    async def actor(
        self, info: Info
    ) -> Annotated[User, strawberry.lazy("schema.types.users")] | None:
        from schema.types.users import User

        if self.actor_id is None:
            return None
        user = await info.context.loaders.user.load(self.actor_id)
        viewer = info.context.actor
        if user is None or viewer is None:
            return None
        if not may_see_user(viewer, user_id=user.id, tenant_id=user.tenant_id):
            return None
        return User.from_model(user)


@strawberry.type
class AuditEventEdge:
    node: AuditEvent
    cursor: str


@strawberry.type
class AuditEventConnection:
    edges: list[AuditEventEdge]
    page_info: PageInfo
    total_count: int
