"""A request target that is not ASCII gets 400 before any route sees it.

RFC 9112 and RFC 3986 allow only ASCII in a request target; anything else is percent-encoded
by every client. Some servers pass raw bytes such as 0xFF through in the query string, and
Starlette's `request.url` (a slash redirect, adapters) decodes it as UTF-8 and fails: refused
here, once for every route, rather than wherever a URL happens to be built.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

MESSAGE = b"The request target must be ASCII (percent-encode everything else).\n"


class RequestTargetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _is_ascii_target(scope):
            await send({
                "type": "http.response.start",
                "status": 400,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(MESSAGE)).encode())],
            })  # fmt: skip
            await send({"type": "http.response.body", "body": MESSAGE})
            return
        await self.app(scope, receive, send)


def _is_ascii_target(scope: Scope) -> bool:
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    return scope.get("query_string", b"").isascii() and raw_path.isascii()
