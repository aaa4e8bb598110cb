"""auditLog: read-only; no mutation touches audit events."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.permission import PermissionExtension

from domain.audit_log import AuditFilter, filtered_events
from domain.errors import ValidationFailed
from permissions import graphql as can
from resolvers.common import actor
from resolvers.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Before,
    First,
    Last,
    page_request,
    paginate,
)
from resolvers.preload import preload_event_relations, selected_node_fields
from schema.context import Info
from schema.types.audit import AuditEvent, AuditEventConnection, AuditEventEdge, AuditLogFilter


def audit_filter(given: AuditLogFilter | None) -> AuditFilter:
    """The API's filter as the domain takes it."""
    if given is None:
        return AuditFilter()
    return AuditFilter(
        actions=tuple(given.actions or ()),
        actor_id=given.actor_id,
        target_type=given.target_type,
        target_id=given.target_id,
        since=given.since,
        until=given.until,
        tenant_id=given.tenant_id,
    )


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="The audit log, newest first: admins read their tenant's events, "
        "superusers every event (or one tenant's with `filter.tenantId`). A filter no event "
        "could match by its form (an ID that is not one, a time without its zone, `since` "
        "after `until`) is a BAD_USER_INPUT error naming its field in `extensions.field`.",
        extensions=[PermissionExtension([can.ReadAuditLog()])],
    )
    async def audit_log(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            AuditLogFilter | None,
            strawberry.argument(description="Only the events matching it; every one when null."),
        ] = None,
    ) -> AuditEventConnection:
        wanted = page_request(info, first=first, after=after, last=last, before=before)
        try:
            events = filtered_events(actor(info), audit_filter(filter))
        except ValidationFailed as refused:
            raise GraphQLError(
                str(refused), extensions={"code": "BAD_USER_INPUT", "field": refused.field}
            ) from None
        page = await paginate(events, wanted, order_by="at", descending=True)
        edges = page.edges(AuditEventEdge, AuditEvent.from_model)
        await preload_event_relations(
            info.context.loaders, actor(info), [edge.node for edge in edges],
            selected_node_fields(info, "edges", "node"),
        )  # fmt: skip
        return AuditEventConnection(
            edges=edges,
            page_info=page.page_info,
            total_count=page.total_count or 0,
        )
