"""/healthz: what each dependency says, with a status a load balancer can act on.

`{"status": "ok" | "degraded" | "unavailable", "database": "ok" | "unavailable",
"redis": "ok" | "unavailable" | "not configured"}`: 503 only when the database does not answer
(nothing can be served); a down Redis is `degraded` with 200 (rate limits count per process,
persisted queries are not shared: see domain/redis_link.py).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse

from config import get_config
from domain import redis_link
from domain.outages import DATABASE
from models.availability import database_answers

# A database that hangs is as unavailable as one that refuses.
TIMEOUT_SECONDS = 3.0
OK, UNAVAILABLE, NOT_CONFIGURED = "ok", "unavailable", "not configured"


async def healthz(request: Request) -> JSONResponse:
    database, redis = await asyncio.gather(_database(), _redis(get_config().redis_url))
    if database != OK:
        status = UNAVAILABLE
    else:
        status = "degraded" if redis == UNAVAILABLE else OK
    return JSONResponse(
        {"status": status, "database": database, "redis": redis},
        status_code=503 if database != OK else 200,
        headers={"Cache-Control": "no-store"},
    )


async def _database() -> str:
    error = await database_answers(TIMEOUT_SECONDS)
    if error is not None:
        DATABASE.began(error)
        return UNAVAILABLE
    DATABASE.ended()
    return OK


async def _redis(url: str | None) -> str:
    if not url:
        return NOT_CONFIGURED
    return OK if await redis_link.link(url).ping() else UNAVAILABLE
