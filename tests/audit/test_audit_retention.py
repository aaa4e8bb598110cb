"""TENANTRY_AUDIT_RETENTION_DAYS: a background job deletes the events older than that, in
batches; unset, every event is kept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from config import Config, configure
from domain.audit_retention import prune_audit_log, run_retention_worker
from models import AuditEvent
from tests.audit.trail import NOW, event
from tests.factories import Cast
from tests.sql_counter import counting_sql

DAY = 24 * 60


async def remaining() -> list[str]:
    return sorted(await AuditEvent.all().values_list("action", flat=True))


async def test_events_older_than_the_retention_are_deleted_and_newer_ones_kept(app, cast: Cast):
    await event("old", tenant=cast.tenant_a, minutes_ago=31 * DAY)
    await event("just-old", tenant=cast.tenant_a, minutes_ago=30 * DAY + 1)
    await event("just-kept", tenant=cast.tenant_a, minutes_ago=30 * DAY - 1)
    await event("new", minutes_ago=1)
    assert await prune_audit_log(30, now=NOW) == 2
    assert await remaining() == ["just-kept", "new"]


async def test_a_backlog_is_deleted_in_batches_until_none_is_left(app, cast: Cast):
    for number in range(7):
        await event(f"old.{number}", tenant=cast.tenant_a, minutes_ago=40 * DAY + number)
    await event("new", tenant=cast.tenant_a)
    with counting_sql() as sql:
        assert await prune_audit_log(30, now=NOW, batch=3) == 7
    deletes = [q for q in sql.statements if q.lower().startswith("delete")]
    assert len(deletes) == 3  # 3 + 3 + 1 rows
    assert all("LIMIT" in statement for statement in deletes)
    assert await remaining() == ["new"]


async def test_sweepers_running_at_once_delete_every_old_event_once_without_error(app, cast: Cast):
    """Several processes sweep at the same time (each runs the job): their batches choose
    the same rows, and none stops while old events are left."""
    for number in range(40):
        await event(f"old.{number}", tenant=cast.tenant_a, minutes_ago=40 * DAY)
    await event("new", tenant=cast.tenant_a)
    counts = await asyncio.gather(*(prune_audit_log(30, now=NOW, batch=3) for _ in range(4)))
    assert sum(counts) == 40
    assert await remaining() == ["new"]


async def test_the_servers_background_job_prunes_when_a_retention_is_set(
    app, cast: Cast, config: Config
):
    await AuditEvent.create(action="ancient")
    await AuditEvent.filter(action="ancient").update(at=datetime.now(UTC) - timedelta(days=400))
    await AuditEvent.create(action="recent")
    configure(config.model_copy(update={"audit_retention_days": 365}))
    worker = asyncio.create_task(run_retention_worker())
    try:
        for _ in range(100):
            if await remaining() == ["recent"]:
                break
            await asyncio.sleep(0.05)
        assert await remaining() == ["recent"]
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        configure(config)


async def test_without_a_retention_the_job_keeps_every_event(app, cast: Cast, config: Config):
    assert config.audit_retention_days is None
    await AuditEvent.create(action="ancient")
    await AuditEvent.filter(action="ancient").update(at=datetime.now(UTC) - timedelta(days=4000))
    worker = asyncio.create_task(run_retention_worker())
    await asyncio.sleep(0.2)
    worker.cancel()
    await asyncio.gather(worker, return_exceptions=True)
    assert await remaining() == ["ancient"]


def test_the_retention_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TENANTRY_AUDIT_RETENTION_DAYS", "90")
    assert Config().audit_retention_days == 90
    monkeypatch.delenv("TENANTRY_AUDIT_RETENTION_DAYS")
    assert Config().audit_retention_days is None
