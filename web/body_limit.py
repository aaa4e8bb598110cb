"""A ceiling on request bodies: 413 before the app reads more than `max_body_bytes`.

A declared Content-Length over the limit is refused before anything is read; a body sent
without one (chunked) is counted as it arrives and refused once it passes the limit. The
largest legitimate bodies are SAML responses (tens of kilobytes); GraphQL documents are held
far below by the token limit.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config import get_config


class BodyTooLarge(Exception):  # noqa: N818 - an HTTP answer, not a failure
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = get_config().max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:  # the app answered before reading the whole body: nothing to add
                return
            await _refuse(scope, send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    message = f"The request body is larger than {limit} bytes."
    if scope["path"] == "/graphql":
        body, media_type = orjson.dumps({"errors": [{"message": message}]}), b"application/json"
    else:
        body, media_type = message.encode(), b"text/plain; charset=utf-8"
    await send({
        "type": "http.response.start",
        "status": 413,
        "headers": [(b"content-type", media_type), (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close")],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})
