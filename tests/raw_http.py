"""Requests as the raw bytes a server hands the ASGI app: no client library tidies the URL,
the headers or the body first (httpx refuses a query string that is not ASCII, say)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote


@dataclass(frozen=True)
class RawRequest:
    method: str
    path: bytes
    query: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    chunks: int = 1  # the body arrives in this many messages
    client: tuple[str, int] | None = ("192.0.2.1", 51000)

    def __str__(self) -> str:
        return (
            f"{self.method} {self.path!r}?{self.query[:80]!r} headers={self.headers!r:.300} "
            f"body={self.body[:120]!r} ({len(self.body)} bytes in {self.chunks} chunks)"
        )


@dataclass
class Answer:
    status: int
    body: bytes


async def send(app: Any, request: RawRequest, secrets: dict[bytes, bytes] | None = None) -> Answer:
    """`request` to `app`; each placeholder in `secrets` replaced by its secret on the way."""

    def fill(value: bytes) -> bytes:
        for placeholder, secret in (secrets or {}).items():
            value = value.replace(placeholder, secret)
        return value

    body = fill(request.body)
    size = -(-len(body) // request.chunks) or 1
    parts = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    messages = [
        {"type": "http.request", "body": part, "more_body": i < len(parts) - 1}
        for i, part in enumerate(parts)
    ]
    headers = [(name, fill(value)) for name, value in request.headers]
    if not any(name == b"host" for name, _ in headers):
        headers.append((b"host", b"tenantry.test"))
    path = request.path
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": request.method, "scheme": "http", "root_path": "",
        # As uvicorn does: the path percent-decoded (bad UTF-8 replaced), the raw one kept.
        "path": unquote(path.decode("latin-1")), "raw_path": path,
        "query_string": fill(request.query), "headers": headers,
        "client": request.client, "server": ("tenantry.test", 80),
    }  # fmt: skip
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def respond(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    async with asyncio.timeout(30):
        await app(scope, receive, respond)
    return Answer(status, b"".join(chunks))
