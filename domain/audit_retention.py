"""Audit log retention (TENANTRY_AUDIT_RETENTION_DAYS): events older than that are deleted.

Every server process runs the sweep (web/app.py); each batch is one
`DELETE … WHERE id IN (SELECT id … LIMIT n)`, so it holds its locks briefly and never for the
whole backlog, and several processes sweeping at once only delete the same rows, which is
harmless: a row is gone once, and a batch that finds it gone deletes fewer.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Subquery

from config import get_config
from domain.outages import DATABASE, database_outage
from models import AuditEvent

log = logging.getLogger("tenantry.audit")

SWEEP_SECONDS = 3600.0
# Rows per DELETE: small enough that a batch is a short transaction, large enough that a
# backlog of millions (retention switched on for an old instance) clears in minutes.
PRUNE_BATCH = 5000


async def prune_audit_log(
    days: int, *, now: datetime | None = None, batch: int = PRUNE_BATCH
) -> int:
    """Delete the events older than `days` days, a batch at a time; how many were deleted."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    deleted = 0
    old = AuditEvent.filter(at__lt=cutoff)
    while True:
        oldest = old.order_by("at").limit(batch).values("id")
        count = await AuditEvent.filter(id__in=Subquery(oldest)).delete()
        deleted += count
        # A short batch ends the sweep only when no old event is left: another process
        # sweeping at the same time may have deleted some of the rows this batch chose.
        if count < batch and not await old.exists():
            return deleted
        await asyncio.sleep(0)  # let the requests of this process in between batches


async def run_retention_worker() -> None:
    """The server's background sweep; idle when no retention is set."""
    while True:
        days = get_config().audit_retention_days
        if days is not None:
            try:
                deleted = await prune_audit_log(days)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # keep the worker alive; the next sweep tries again
                if not database_outage(error):
                    log.exception("pruning the audit log failed")
            else:
                DATABASE.ended()
                if deleted:
                    log.info("pruned %d audit events older than %d days", deleted, days)
        await asyncio.sleep(SWEEP_SECONDS)
