"""A known audit trail across two tenants and the instance, for the filter and export tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from models import AuditEvent
from tests.factories import Cast

# A fixed "now", so since/until in the tests name exact instants.
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


async def event(
    action: str,
    *,
    tenant=None,
    actor=None,
    minutes_ago: int = 0,
    target: tuple[str, str] | None = ("user", "x"),
    changes=None,
    **request,
) -> AuditEvent:
    """An event at a known time, so the order is certain."""
    row = await AuditEvent.create(
        tenant_id=tenant.id if tenant else None,
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else None,
        action=action,
        target_type=target[0] if target else None,
        target_id=target[1] if target else None,
        changes=changes,
        **request,
    )
    await AuditEvent.filter(id=row.id).update(at=NOW - timedelta(minutes=minutes_ago))
    return row


@dataclass
class Trail:
    bob_id: str  # the user whose events the target filter finds


async def build_trail(cast: Cast) -> Trail:
    bob = cast.member_a.user
    await event(
        "user.created",
        tenant=cast.tenant_a,
        actor=cast.admin_a.user,
        minutes_ago=50,
        target=("user", str(bob.id)),
    )
    await event(
        "project.created", tenant=cast.tenant_a, actor=bob, minutes_ago=40, target=("project", "p1")
    )
    await event("user.role_changed", tenant=cast.tenant_b, actor=cast.admin_b.user, minutes_ago=35)
    await event("settings.smtp_updated", actor=cast.superuser.user, minutes_ago=30, target=None)
    await event(
        "user.role_changed",
        tenant=cast.tenant_a,
        actor=cast.admin_a.user,
        minutes_ago=20,
        target=("user", str(bob.id)),
        changes={"role": "admin"},
    )
    await event(
        "user.deactivated",
        tenant=cast.tenant_a,
        actor=cast.superuser.user,
        minutes_ago=10,
        target=("user", str(bob.id)),
    )
    return Trail(bob_id=str(bob.id))
