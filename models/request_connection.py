"""One database connection per request on PostgreSQL, reads apart on SQLite (issue 17).

Tortoise checks a connection out of asyncpg's pool for every statement and back in after it,
and asyncpg resets a connection it takes back (`SELECT pg_advisory_unlock_all(); CLOSE ALL;
UNLISTEN *; RESET ALL`): a users page of 4 queries sent 8 statements, and each check-out and
reset cost a round trip and the pool's bookkeeping.

`request_connection()` puts a `RequestClient` in Tortoise's connection storage (a context
variable, so this request's tasks and loaders see it, nothing else does). It checks a
connection out at the request's first statement and keeps it until the request ends: one
check-out, one reset, after the last statement. asyncpg prepares each statement on the
connection and caches it there (its statement cache), so a request's statements run as
prepared statements too.

A transaction inside the request runs on the held connection (a second check-out could wait
forever when every connection of the pool is held by a request waiting for a second one).
Writes wait on other things (password hashing, locks) while they run, so a request that turns
out to be a mutation lets its connection go (`let_go_of_request_connection`) and checks one
out per statement as before. On SQLite the request's plain reads run on a read-only connection
of their own until it turns out to write (models/sqlite_engine.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from tortoise import connections
from tortoise.backends.asyncpg import AsyncpgDBClient
from tortoise.backends.asyncpg.client import TransactionWrapper
from tortoise.backends.base.client import PoolConnectionWrapper, TransactionContext
from tortoise.exceptions import ConfigurationError, TransactionManagementError

from models.postgres_engine import PostgresClient
from models.sqlite_engine import ImmediateSqliteClient, reading_together, reads_apart

CONNECTION = "default"

_CURRENT: ContextVar[RequestClient | None] = ContextVar("request_connection", default=None)


class RequestClient(AsyncpgDBClient):
    """The pool's client, except that statements share one connection, checked out lazily."""

    def __init__(self, parent: AsyncpgDBClient) -> None:
        # Like Tortoise's TransactionWrapper: no pool of its own, the parent's settings.
        self._parent = parent
        self._connection: Any = None
        self._lock = asyncio.Lock()
        self._holding = True
        self.log = parent.log
        self.connection_name = parent.connection_name
        self.fetch_inserted = getattr(parent, "fetch_inserted", True)
        self._pool_init_lock = parent._pool_init_lock

    @property  # type: ignore[override]
    def _pool(self) -> Any:
        return self._parent._pool

    def acquire_connection(self) -> Any:  # type: ignore[override]
        return _Checkout(self)

    def _in_transaction(self) -> TransactionContext:
        if self._holding:
            return _HeldTransaction(self)
        return self._parent._in_transaction()

    async def _hold(self) -> Any:
        """The held connection, checked out now if this is the request's first statement.
        Call with the lock held."""
        if self._connection is None:
            await PoolConnectionWrapper(self._parent, self._pool_init_lock).ensure_connection()
            self._connection = await self._parent._pool.acquire()  # type: ignore[union-attr]
        return self._connection

    def let_go(self) -> None:
        """From now on one connection per statement; the held one goes back at the next
        statement or when the request ends."""
        self._holding = False

    async def release(self) -> None:
        async with self._lock:
            connection, self._connection = self._connection, None
            if connection is not None and self._parent._pool is not None:
                await self._parent._pool.release(connection)


class _Checkout:
    """What `acquire_connection()` hands Tortoise's statement methods."""

    __slots__ = ("client", "pooled")

    def __init__(self, client: RequestClient) -> None:
        self.client = client
        self.pooled: Any = None

    async def __aenter__(self) -> Any:
        client = self.client
        if client._holding:
            await client._lock.acquire()
            try:
                return await client._hold()
            except BaseException:
                client._lock.release()
                raise
        await client.release()
        self.pooled = client._parent.acquire_connection()
        return await self.pooled.__aenter__()

    async def __aexit__(self, *exc: Any) -> None:
        if self.pooled is not None:
            await self.pooled.__aexit__(*exc)
        else:
            self.client._lock.release()


class _HeldTransaction(TransactionContext):
    """`in_transaction()` on the request's connection, as Tortoise's pooled one does it."""

    def __init__(self, client: RequestClient) -> None:
        self.owner = client

    async def __aenter__(self) -> TransactionWrapper:
        owner = self.owner
        async with owner._lock:
            await owner._hold()
            self.client = TransactionWrapper(owner)  # type: ignore[arg-type]
            # Statements of the transaction and of the request's other tasks take turns on
            # the one connection (asyncpg refuses two operations at once).
            self.client._lock = owner._lock
            await self.client.begin()
        self.token = connections.set(owner.connection_name, self.client)
        return self.client

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            if not self.client._finalized:
                async with self.owner._lock:
                    if exc_type is None:
                        await self.client.commit()
                    elif exc_type is not TransactionManagementError:
                        await self.client.rollback()
        finally:
            connections.reset(self.token)


@asynccontextmanager
async def request_connection() -> AsyncIterator[RequestClient | None]:
    """Within the block, this context's statements share one connection (PostgreSQL)."""
    try:
        parent = connections.get(CONNECTION)
    except ConfigurationError:  # Tortoise not set up (no database in this process)
        parent = None
    if isinstance(parent, ImmediateSqliteClient):
        # Reads on a connection of their own until the request writes (models/sqlite_engine.py).
        with reads_apart():
            yield None
        return
    if type(parent) is not PostgresClient:  # already inside a transaction
        yield None
        return
    client = RequestClient(parent)
    token = connections.set(CONNECTION, client)
    current = _CURRENT.set(client)
    try:
        yield client
    finally:
        _CURRENT.reset(current)
        connections.reset(token)
        # A task the request started may still run (graphql-core does not cancel the
        # siblings of a field that failed) and still sees this client: from now on it checks
        # a connection out per statement, as outside a request.
        client.let_go()
        await client.release()


def let_go_of_request_connection() -> None:
    """The request writes: one connection per statement from here on (see the module); on
    SQLite, its reads go to the writer's connection again."""
    reading_together()
    client = _CURRENT.get()
    if client is not None:
        client.let_go()
