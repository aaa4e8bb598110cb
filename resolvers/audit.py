"""auditLog: read-only; no mutation touches audit events."""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension

from domain.audit_log import events_in_reach
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
from schema.context import Info
from schema.types.audit import AuditEvent, AuditEventConnection, AuditEventEdge


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="The audit log, newest first: admins read their tenant's events, "
        "superusers every event.",
        extensions=[PermissionExtension([can.ReadAuditLog()])],
    )
    async def audit_log(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> AuditEventConnection:
        wanted = page_request(info, first=first, after=after, last=last, before=before)
        page = await paginate(events_in_reach(actor(info)), wanted, order_by="at", descending=True)
        return AuditEventConnection(
            edges=page.edges(AuditEventEdge, AuditEvent.from_model),
            page_info=page.page_info,
            total_count=page.total_count or 0,
        )
