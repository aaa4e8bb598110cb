import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import connections

# A database that hangs is as unavailable as one that refuses.
TIMEOUT_SECONDS = 3.0


async def healthz(request: Request) -> JSONResponse:
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            await connections.get("default").execute_query("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means the database does not answer
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})
