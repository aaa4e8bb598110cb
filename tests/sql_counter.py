"""Counting the SQL statements one request sends.

Tortoise's clients log each statement at DEBUG. Only statements from the test's own context
(and the tasks it starts) count: the app's background workers (the mail outbox) poll the
database on their own schedule and must not make a count flaky.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_COUNTING: contextvars.ContextVar[bool] = contextvars.ContextVar("counting_sql", default=False)


class StatementCounter(logging.Handler):
    VERBS = ("select", "insert", "update", "delete", "with")

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not _COUNTING.get():
            return
        message = record.getMessage().lstrip()
        if message.lower().startswith(self.VERBS):
            self.statements.append(message)


@contextmanager
def counting_sql() -> Iterator[StatementCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    token = _COUNTING.set(True)
    try:
        yield counter
    finally:
        _COUNTING.reset(token)
        logger.removeHandler(counter)
        logger.setLevel(level)


@contextmanager
def counting_driver_statements(client: Any) -> Iterator[list[str]]:
    """Every statement asyncpg sends for this context on the pool's open connections: the
    queries, BEGIN/COMMIT, and the reset the pool runs when a connection comes back to it
    (Tortoise's log shows none of those). Open connections only: warm the pool up first, and
    check that what must be counted was (a connection opened meanwhile is not listened to).

    asyncpg calls a query logger through the event loop's call_soon, in the context of the
    task that sent the statement: the background workers' statements do not count."""
    sent: list[str] = []

    def log(record: Any) -> None:
        if _COUNTING.get():
            sent.append(record.query)

    # asyncpg's pool lists its connections in `_holders` (no public accessor).
    opened = [holder._con for holder in client._pool._holders if holder._con is not None]
    for connection in opened:
        connection.add_query_logger(log)
    token = _COUNTING.set(True)
    try:
        yield sent
    finally:
        _COUNTING.reset(token)
        for connection in opened:
            connection.remove_query_logger(log)
