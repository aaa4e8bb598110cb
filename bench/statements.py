"""SQL statements per request, counted in the server process (issue 17, part 6).

One /graphql request is run through the app in-process while everything the database driver
is sent in that request's context is counted: on PostgreSQL by asyncpg's query loggers on the
pool's connections (so BEGIN/COMMIT and the pool's reset count too), on SQLite by Tortoise's
statement log. The background workers' statements run in contexts of their own and do not
count. tests/web/test_statements_per_request.py pins the same figure.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from typing import Any

from tortoise import connections

_COUNTING: contextvars.ContextVar[bool] = contextvars.ContextVar("bench_counting", default=False)
RESET = "pg_advisory_unlock_all"


class _Log(logging.Handler):
    def __init__(self, sent: list[str]) -> None:
        super().__init__(level=logging.DEBUG)
        self.sent = sent

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lstrip().lower()
        if _COUNTING.get() and message.startswith(("select", "insert", "update", "delete")):
            self.sent.append(message)


async def statements_per_request(app: Any, body: bytes, authorization: str) -> dict[str, int]:
    """{"statements": all sent, "resets": of which the pool's resets}."""
    sent: list[str] = []

    def log(record: Any) -> None:
        if _COUNTING.get():
            sent.append(record.query)

    client = connections.get("default")
    pool = getattr(client, "_pool", None)
    for _ in range(3):  # the pool opens the connections the request may use
        await _call(app, body, authorization)
    # asyncpg's pool lists its connections in `_holders` (no public accessor).
    opened = [h._con for h in pool._holders if h._con is not None] if pool else []
    for connection in opened:
        connection.add_query_logger(log)
    logger = logging.getLogger("tortoise.db_client")
    handler, level = _Log(sent), logger.level
    if not opened:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    token = _COUNTING.set(True)
    try:
        await _call(app, body, authorization)
        await asyncio.sleep(0)  # asyncpg calls its query loggers soon, not at once
    finally:
        _COUNTING.reset(token)
        for connection in opened:
            connection.remove_query_logger(log)
        logger.removeHandler(handler)
        logger.setLevel(level)
    return {"statements": len(sent), "resets": sum(RESET in s for s in sent)}


async def _call(app: Any, body: bytes, authorization: str) -> None:
    headers = [(b"content-type", b"application/json"), (b"accept", b"application/json")]
    if authorization:
        headers.append((b"authorization", authorization.encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80), "state": {},
    }  # fmt: skip
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:
            await asyncio.Event().wait()  # no disconnect while the answer is written
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    await app(scope, receive, send)
