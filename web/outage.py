"""503 with Retry-After, not a 500, while the database is unavailable; logged once per outage.

Whatever the request meets (the session lookup before GraphQL, a resolver, the e-mailed link
pages, SAML), an error that means the database cannot be reached (models/availability.py)
answers 503 with `Retry-After`: a GraphQL error with `extensions.code: SERVICE_UNAVAILABLE` on
/graphql, a small page elsewhere. The outage is logged when it begins and when the database
answers again (probed at most once a second, after a request that did not meet it).
"""

from __future__ import annotations

import logging

import orjson
from graphql import GraphQLError
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.outages import DATABASE, database_outage
from models.availability import (
    database_answers,
    is_database_unavailable,
    replace_pooled_connections,
)
from web import metrics

RETRY_AFTER_SECONDS = 5
PROBE_TIMEOUT_SECONDS = 1.0
MESSAGE = "The database is unavailable; try again shortly."
CODE = "SERVICE_UNAVAILABLE"

_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Unavailable · Tenantry</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto">
<h1>Unavailable</h1><p>{MESSAGE}</p></body></html>
"""


class QuietDuringOutage(logging.Filter):
    """Drops a driver's own retry warnings (asyncpg's pool warns, stack and all, each time it
    fails to reconnect) while the outage is known and already logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not DATABASE.down


def quiet_driver_retries() -> None:
    logging.getLogger("asyncpg.pool").addFilter(_QUIET)


_QUIET = QuietDuringOutage()


def reraise_outage(errors: list[GraphQLError] | None) -> None:
    """A resolver that met a database outage fails the whole request with 503, as the session
    lookup before it would have: half an answer would read as data that is not there."""
    for error in errors or ():
        original = error.original_error
        if original is not None and is_database_unavailable(original):
            raise original


async def probe_database() -> None:
    error = await database_answers(PROBE_TIMEOUT_SECONDS)
    if error is None:
        DATABASE.ended()
    else:
        DATABASE.began(error)


class DatabaseOutageMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            if started or not database_outage(error):
                raise
            await replace_pooled_connections()
            metrics.DATABASE_UNAVAILABLE.inc()
            await _unavailable(scope)(scope, receive, send)
            return
        if DATABASE.down and DATABASE.due_for_probe():
            await probe_database()


def _unavailable(scope: Scope) -> Response:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    state = scope.setdefault("state", {})
    exchange = state.get("graphql")
    if scope["path"] != "/graphql" and exchange is None:
        return HTMLResponse(_PAGE, 503, headers=headers)
    state["graphql_errors"] = 1
    body = {"errors": [{"message": MESSAGE, "extensions": {"code": CODE}}]}
    media_type = getattr(exchange, "media_type", "application/json")
    return Response(orjson.dumps(body), 503, headers=headers, media_type=media_type)
