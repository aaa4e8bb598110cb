"""Tortoise's SQLite client, with write transactions that take the write lock at BEGIN.

Tortoise begins a transaction with a plain (deferred) BEGIN: it reads, then upgrades to the
write lock at its first write. When another process committed in between (`serve --workers N`,
or the CLI beside a server), SQLite cannot upgrade a read snapshot that is no longer the
newest and answers "database is locked" at once, without waiting out `busy_timeout`. BEGIN
IMMEDIATE takes the write lock first, waiting for it under `busy_timeout`, so a transaction
either starts on the newest data or waits its turn. Within one process Tortoise already runs
one statement at a time on one connection, so this costs a process nothing.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError

ENGINE = "models.sqlite_engine"


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_ImmediateTransaction(self), self._lock)


client_class = ImmediateSqliteClient
