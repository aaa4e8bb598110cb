"""Tortoise's PostgreSQL client, whose pool hands connections out in the order they were asked
for (issue 17: tail latency under load).

asyncpg keeps a pool's free connections in an `asyncio.LifoQueue`. When a connection comes
back, the queue wakes the task that has waited longest; but before that task runs, a task that
asks just then finds the connection free and takes it, and the woken task queues again, at the
back. Under a steady load some requests lost that race again and again: on the users page
with 16 clients and the pool's 5 connections the median answer took 30 ms and the p99 0.8 to
1.7 s (bench/PROFILE.md). `FairPool` makes every acquisition first wait its turn at a
semaphore as large as the pool (asyncio's semaphore is first come, first served: a newcomer
waits behind the waiters), so a connection goes to the task that asked first; the p99 fell to
about 100 ms, near the median of a fair queue at that load.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import asyncpg
from tortoise.backends.asyncpg import AsyncpgDBClient

ENGINE = "models.postgres_engine"


class FairPool(asyncpg.Pool):  # type: ignore[misc]
    """asyncpg's pool, with acquisitions served in the order they were made."""

    def __init__(self, *args: Any, max_size: int, **kwargs: Any) -> None:
        super().__init__(*args, max_size=max_size, **kwargs)
        self._turns = asyncio.Semaphore(max_size)
        # The connections handed out (their proxies' ids), each holding one turn.
        self._out: set[int] = set()

    async def _acquire(self, timeout: float | None) -> Any:  # noqa: ASYNC109 - asyncpg's signature
        # asyncpg's `acquire()` (awaited or as a context manager) comes here.
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        if timeout is None:
            await self._turns.acquire()
        else:
            await asyncio.wait_for(self._turns.acquire(), timeout)
        try:
            left = None if deadline is None else max(deadline - loop.time(), 0.0)
            connection = await super()._acquire(left)
        except BaseException:
            self._turns.release()
            raise
        self._out.add(id(connection))
        return connection

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if id(connection) not in self._out:  # released already, or not this pool's
            await super().release(connection, timeout=timeout)
            return
        self._out.discard(id(connection))
        try:
            await super().release(connection, timeout=timeout)
        finally:
            self._turns.release()


# asyncpg.create_pool's defaults, which the pool's own constructor does not have.
_POOL_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(asyncpg.create_pool).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    and parameter.default is not inspect.Parameter.empty
}


class PostgresClient(AsyncpgDBClient):
    async def create_pool(self, **kwargs: Any) -> FairPool:
        return await FairPool(None, **{**_POOL_DEFAULTS, **kwargs})  # type: ignore[no-any-return]


client_class = PostgresClient
