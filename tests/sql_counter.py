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
