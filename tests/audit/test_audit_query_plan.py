"""The filtered audit log is read from an index on PostgreSQL, not by scanning the table: the
plans of auditLog's queries over 50,000 events (the bench times them over 1,000,000)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import connections
from tortoise.expressions import Q

from bench.audit_seed import insert_events
from domain.audit_log import AuditFilter, events_in_reach, filtered_events
from domain.users import actor_of
from models import AuditEvent
from tests.factories import Cast

pytestmark = pytest.mark.postgres

EVENTS = 50_000
AUDIT_INDEX = "audit_event_"  # models/audit.py
PAGE = 51  # what paginate asks for a page of 50: one more, to know whether a next page exists


def nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += nodes(child)
    return found


async def plan_of(query) -> list[dict[str, Any]]:
    sql = query.order_by("-at", "-id").limit(PAGE).sql(params_inline=True)
    rows = await connections.get("default").execute_query_dict(f"EXPLAIN (FORMAT JSON) {sql}")
    plan = rows[0]["QUERY PLAN"]
    return nodes((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])


@pytest.fixture
async def big_log(cast: Cast, make) -> Cast:
    tenants = [cast.tenant_a, cast.tenant_b] + [await make.tenant() for _ in range(8)]
    actors = [cast.admin_a.user, cast.member_a.user, cast.guest_a.user, cast.admin_b.user]
    actors += [await make.user(cast.tenant_a) for _ in range(16)]
    await insert_events(EVENTS, [t.id for t in tenants], [a.id for a in actors])
    return cast


def filters(cast: Cast) -> dict[str, tuple[Any, AuditFilter]]:
    admin, superuser = actor_of(cast.admin_a.user), actor_of(cast.superuser.user)
    now = datetime.now(UTC)
    return {
        "admin, no filter": (admin, AuditFilter()),
        "admin, one action": (admin, AuditFilter(actions=("user.role_changed",))),
        "admin, two actions": (admin, AuditFilter(actions=("user.created", "user.deleted"))),
        "admin, actor": (admin, AuditFilter(actor_id=str(cast.member_a.user.id))),
        "admin, target": (
            admin, AuditFilter(target_type="user", target_id=str(cast.member_a.user.id))
        ),
        "admin, a week": (admin, AuditFilter(since=now - timedelta(days=14),
                                             until=now - timedelta(days=7))),
        "superuser, everything": (superuser, AuditFilter()),
        "superuser, one tenant": (superuser, AuditFilter(tenant_id=str(cast.tenant_b.id))),
        "superuser, one action": (superuser, AuditFilter(actions=("user.deactivated",))),
        "superuser, actor": (superuser, AuditFilter(actor_id=str(cast.admin_b.user.id))),
    }  # fmt: skip


async def test_every_filter_of_the_log_reads_an_index_and_never_scans_the_table(big_log: Cast):
    assert await AuditEvent.all().count() == EVENTS
    for name, (reader, wanted) in filters(big_log).items():
        plan = await plan_of(filtered_events(reader, wanted))
        scans = [n for n in plan if n.get("Relation Name") == "audit_event"]
        assert scans, name
        assert all(n["Node Type"] != "Seq Scan" for n in scans), (name, plan)
        # Any of the table's indexes: the planner picks by cost between those that fit.
        used = [n["Index Name"] for n in plan if "Index Name" in n]
        assert used and all(index.startswith(AUDIT_INDEX) for index in used), (name, plan)


async def test_a_page_after_a_cursor_starts_its_index_scan_at_the_cursor(big_log: Cast):
    """The keyset condition's plain bound (`at <= cursor`) is an index condition, so a deep
    page costs what the first one does."""
    admin = actor_of(big_log.admin_a.user)
    middle = await events_in_reach(admin).order_by("-at").offset(2000).first()
    assert middle is not None
    at, row_id = middle.at, middle.id
    # paginate's keyset condition for `after` (resolvers/pagination.py).
    after = Q(Q(at__lte=at), Q(at__lt=at) | Q(at=at, id__lt=row_id))
    query = filtered_events(admin, AuditFilter()).filter(after)
    plan = await plan_of(query)
    (scan,) = [n for n in plan if n.get("Relation Name") == "audit_event"]
    assert scan["Node Type"] in ("Index Scan", "Index Only Scan")
    assert "(at <=" in scan["Index Cond"], scan
