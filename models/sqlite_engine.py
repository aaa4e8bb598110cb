"""Tortoise's SQLite client, with write transactions that take the write lock at BEGIN, and
reads on a connection of their own.

Tortoise begins a transaction with a plain (deferred) BEGIN: it reads, then upgrades to the
write lock at its first write. When another process committed in between (`serve --workers N`,
or the CLI beside a server), SQLite cannot upgrade a read snapshot that is no longer the
newest and answers "database is locked" at once, without waiting out `busy_timeout`. BEGIN
IMMEDIATE takes the write lock first, waiting for it under `busy_timeout`, so a transaction
either starts on the newest data or waits its turn. Within one process Tortoise already runs
one statement at a time on one connection, so this costs a process nothing.

Tortoise runs every statement of the process on that one connection, one at a time, and a
transaction holds it from BEGIN to the end of its COMMIT, whose sync the disk may take
hundreds of milliseconds over (issue 17: `me` waited up to 343 ms at the p99 behind the
sign-ins' writes). In WAL mode readers and the writer do not wait for each other, so within a
request that only reads (a GraphQL query: `reads_apart()`, which a request that turns out to
write leaves with `reading_together()`, as it lets go of its PostgreSQL connection), a SELECT
runs on a second, read-only connection: it sees every transaction committed before it starts,
as it would have on the shared connection, and none that is still open. Anything that is not a
plain SELECT stays on the writer's connection, and so does every statement of a transaction
(they must see their own writes). Writers read on the writer's connection too: with a stream
of writes whose reads ran beside them the write-ahead log grew larger (a log starts over only
while no reader uses it), and `sendInvitation`'s p99 on SQLite went from 44 to 80 ms in the
median of twelve runs. A database in memory exists only on its own connection: there every
statement stays on the one.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import aiosqlite
from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
    translate_exceptions,
)
from tortoise.exceptions import TransactionManagementError

ENGINE = "models.sqlite_engine"

# Whether this context's plain reads go to the read-only connection.
_READING_APART: ContextVar[bool] = ContextVar("sqlite_reading_apart", default=False)


@contextmanager
def reads_apart() -> Iterator[None]:
    """Within the block this context's plain reads run on the read-only connection, until
    `reading_together()`."""
    token = _READING_APART.set(True)
    try:
        yield
    finally:
        _READING_APART.reset(token)


def reading_together() -> None:
    """From here on this context's reads run on the writer's connection: it writes."""
    _READING_APART.set(False)


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


def is_plain_select(query: str) -> bool:
    """A statement that only reads. (`WITH … UPDATE` writes, so a CTE does not count.)"""
    return query.lstrip()[:7].upper() == "SELECT "


def in_memory(filename: str) -> bool:
    return filename == ":memory:" or "mode=memory" in filename


class ImmediateSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self._reader: aiosqlite.Connection | None = None
        self._reader_lock = asyncio.Lock()

    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_ImmediateTransaction(self), self._lock)

    async def _reading(self) -> aiosqlite.Connection | None:
        """The read-only connection, opened at the first read; None for a database in
        memory."""
        if self._reader is None and not in_memory(self.filename):
            async with self._reader_lock:
                if self._reader is None:
                    reader = await aiosqlite.connect(self.filename, isolation_level=None)
                    reader._conn.row_factory = sqlite3.Row
                    # It may only read, and waits for a lock as the writer does.
                    busy = self.pragmas.get("busy_timeout", 5000)
                    for pragma in ("query_only = ON", f"busy_timeout = {busy}"):
                        await (await reader.execute(f"PRAGMA {pragma}")).close()
                    self._reader = reader
        return self._reader

    async def _reader_for(self, query: str) -> aiosqlite.Connection | None:
        """The read-only connection when this statement goes there, else None."""
        if _READING_APART.get() and is_plain_select(query):
            return await self._reading()
        return None

    @translate_exceptions
    async def execute_query(
        self, query: str, values: list | None = None
    ) -> tuple[int, Sequence[dict]]:
        reader = await self._reader_for(query)
        if reader is None:
            return await super().execute_query(query, values)
        rows = await self._read(reader, query, values)
        return len(rows), rows

    @translate_exceptions
    async def execute_query_dict(self, query: str, values: list | None = None) -> list[dict]:
        reader = await self._reader_for(query)
        if reader is None:
            return await super().execute_query_dict(query, values)
        return list(map(dict, await self._read(reader, query, values)))

    async def _read(self, reader: aiosqlite.Connection, query: str, values: list | None) -> Any:
        # As Tortoise's execute_query: a NUL byte cannot stand in SQL text.
        query = query.replace("\x00", "'||CHAR(0)||'")
        self.log.debug("%s: %s", query, values)
        return await reader.execute_fetchall(query, values)

    async def close(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            await reader.close()
        await super().close()


client_class = ImmediateSqliteClient
