"""What the mail outbox and the webhook worker share: a background loop that sends the rows it
claims, one at a time, and a shutdown that lets it finish the one it sends.

Each process runs one loop per queue. Claims are conditional UPDATEs on `claimed_until` (made
by the queue's own module); this keeps the claims the process holds, so that at shutdown
(`stop`, then `hand_back_claims`) the loop takes no new row, returns once the row it sends is
recorded, and the claims still held (a send cut off by the grace period) are cleared for the
next process to take at once rather than after their lease.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum

from tortoise.models import Model

from domain.outages import DATABASE, database_outage

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt of a row that failed `attempts` times: 30 s, 1 min,
    2 min, ... capped at an hour (mail and webhook deliveries alike)."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


# One pass over the due rows; it stops taking rows once `stopping()` says so.
SendingPass = Callable[[Callable[[], bool]], Awaitable[object]]


@dataclass
class SendingWorker:
    name: str  # in log lines: "mail", "webhook"
    model: type[Model]
    pending: Enum  # the status of a row still to send: only those are handed back
    log: logging.Logger
    held: dict[uuid.UUID, datetime] = field(default_factory=dict)
    stopping: bool = False
    # Made by the running loop, so it belongs to the loop's event loop.
    woken: asyncio.Event | None = None

    def wake(self) -> None:
        """There may be rows to send (other processes find them on their poll)."""
        if self.woken is not None:
            self.woken.set()

    def stop(self) -> None:
        """At shutdown: take no new row; the loop returns once the one it sends is recorded."""
        self.stopping = True
        self.wake()

    def claimed(self, row_id: uuid.UUID, claim: datetime) -> None:
        self.held[row_id] = claim

    def recorded(self, row_id: uuid.UUID) -> None:
        """The row's outcome is written: no claim left to hand back. (When sending raised, the
        claim stays listed: the database shows it taken until it lapses or is handed back.)"""
        self.held.pop(row_id, None)

    async def hand_back_claims(self) -> int:
        """Clear the claims this process still holds, conditional on the claim, as the
        finishing UPDATE is: a claim that lapsed and was taken over stays."""
        handed = 0
        for row_id, claim in list(self.held.items()):
            handed += await self.model.filter(
                id=row_id, claimed_until=claim, status=self.pending
            ).update(claimed_until=None)
            del self.held[row_id]
        if handed:
            self.log.info(
                "handed back %d %s claim(s) for another process to send", handed, self.name
            )
        return handed

    async def run(
        self,
        send_due: SendingPass,
        prune: Callable[[], Awaitable[object]],
        prune_every: timedelta,
        poll_seconds: float,
    ) -> None:
        """Send what is due, prune now and then, sleep until woken or the next poll; return
        after `stop()`."""
        woken = self.woken = asyncio.Event()
        self.stopping = False
        pruned_at = datetime.min.replace(tzinfo=UTC)
        while not self.stopping:
            woken.clear()
            try:
                await send_due(lambda: self.stopping)
                if datetime.now(UTC) - pruned_at > prune_every:
                    pruned_at = datetime.now(UTC)
                    await prune()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # keep the loop alive; the row is retried after its lease
                if not database_outage(error):
                    self.log.exception("%s pass failed", self.name)
            else:
                DATABASE.ended()
            if self.stopping:
                return
            try:
                await asyncio.wait_for(woken.wait(), timeout=poll_seconds)
            except TimeoutError:
                pass
