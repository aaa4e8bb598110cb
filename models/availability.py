"""Whether the database answers, and which errors mean it does not (rather than a bad query).

A request that meets one of these errors could not have been served by any code of ours: the
web layer answers 503 with Retry-After (web/outage.py) instead of a 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import TracebackType

import asyncpg
from tortoise import connections
from tortoise.exceptions import DBConnectionError

# Raised by PostgreSQL, or by asyncpg for a connection that went away mid-query.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    DBConnectionError,
    asyncpg.PostgresConnectionError,  # class 08: connection lost, refused, protocol broken
    asyncpg.AdminShutdownError,  # 57P01: the server is shutting down
    asyncpg.CrashShutdownError,  # 57P02: a backend crashed, the server restarts
    asyncpg.CannotConnectNowError,  # 57P03: the server is starting up or in recovery
    asyncpg.IdleSessionTimeoutError,  # 57P05
    asyncpg.TooManyConnectionsError,  # 53300
    # A connection the server ended while it sat in the pool: asyncpg meets the server's
    # farewell outside any query and fails the next query with this.
    asyncpg.InternalClientError,
)
# An OSError (refused, reset, timed out) or any refusal while asyncpg opens a connection (the
# database is not accepting connections, the server is starting up, authentication failed)
# tells of the database only when it came through its driver: other OSErrors (SMTP, files)
# are someone else's.
_DRIVERS = ("asyncpg", "aiosqlite", "tortoise.backends")
_CONNECTING = "asyncpg.connect_utils"


def is_database_unavailable(error: BaseException) -> bool:
    """True when `error`, or an error that caused it, means the database cannot be reached."""
    for exc in _chain(error):
        if isinstance(exc, _UNAVAILABLE):
            return True
        modules = set(_modules(exc.__traceback__))
        if _CONNECTING in modules:
            return True
        if isinstance(exc, OSError) and any(m.startswith(_DRIVERS) for m in modules):
            return True
    return False


async def database_answers(within_seconds: float) -> BaseException | None:
    """None when the database answers `SELECT 1` in time, else the error."""
    try:
        async with asyncio.timeout(within_seconds):
            await connections.get("default").execute_query("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means the database does not answer
        return error
    return None


async def replace_pooled_connections() -> None:
    """After one connection failed, the pool's others most likely did too (a restart ends them
    all): the pool opens fresh ones on their next use instead of failing one request each."""
    client = connections.get("default")
    # Tortoise's hook for asyncpg's Pool.expire_connections(); SQLite has no pool.
    expire = getattr(client, "_expire_connections", None)
    if expire is not None:
        await expire()


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending = [error]
    while pending:
        exc = pending.pop()
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        yield exc
        if isinstance(exc, BaseExceptionGroup):
            pending.extend(exc.exceptions)
        pending.extend(e for e in (exc.__cause__, exc.__context__) if e is not None)


def _modules(traceback: TracebackType | None) -> Iterator[str]:
    while traceback is not None:
        yield traceback.tb_frame.f_globals.get("__name__", "")
        traceback = traceback.tb_next
