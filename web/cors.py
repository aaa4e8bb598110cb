"""CORS for frontends on other origins (TENANTRY_CORS_ORIGINS): exact origins only, with
credentials (the session cookie, an Authorization header).

Listed origins may send what GraphQL clients send: JSON bodies, bearer tokens, Apollo's client
awareness and CSRF-prevention headers, persisted-query GETs. Any other origin gets no
Access-Control-* header at all (Starlette's middleware would still send it the credentials
and expose headers), so browsers keep answers from it, and its JSON POSTs are never sent:
their preflight fails.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import Message, Receive, Scope, Send

from config import Config

ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "Accept",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "X-Request-ID",
]
PREFLIGHT_MAX_AGE_SECONDS = 600


class ListedOriginsCORS(CORSMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None or self.is_allowed_origin(origin):
            await super().__call__(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            refusal = PlainTextResponse("Disallowed CORS origin", 400, headers={"Vary": "Origin"})
            await refusal(scope, receive, send)
            return

        async def send_varying(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableHeaders(scope=message).add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_varying)


def cors_middleware(config: Config) -> list[Middleware]:
    if not config.cors_origins:
        return []
    return [
        Middleware(
            ListedOriginsCORS,
            allow_origins=config.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST"],
            allow_headers=ALLOWED_HEADERS,
            expose_headers=["X-Request-ID"],
            max_age=PREFLIGHT_MAX_AGE_SECONDS,
        )
    ]
