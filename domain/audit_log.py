"""Reading the audit trail: admins their tenant's events, superusers everyone's. Read-only."""

from __future__ import annotations

from tortoise.queryset import QuerySet

from domain.errors import Forbidden
from models import AuditEvent
from permissions.rules import Actor, Op, Scope, scope


def events_in_reach(actor: Actor) -> QuerySet[AuditEvent]:
    """Newest first is the caller's ordering (paginate on `at`, descending)."""
    match scope(actor, Op.AUDIT_LOG):
        case Scope.ANY:
            return AuditEvent.all()
        case Scope.TENANT:
            return AuditEvent.filter(tenant_id=actor.tenant_id)
        case _:
            raise Forbidden()
