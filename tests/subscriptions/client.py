"""A small graphql-transport-ws client over a real WebSocket (the `websockets` library), as
a frontend's graphql-ws client speaks it, against the app served by a real uvicorn."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from domain.events import hub

PROTOCOL = "graphql-transport-ws"
OWN_ORIGIN = "http://tenantry.test"  # the test configuration's TENANTRY_PUBLIC_URL
WAIT = 5.0

_ids = itertools.count(1)


class Closed(Exception):  # noqa: N818
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code}: {reason}")
        self.code = code
        self.reason = reason


class Connection:
    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self, within: float = WAIT) -> dict[str, Any]:
        """The next message, skipping pings (answered); Closed when the server closed."""
        while True:
            try:
                raw = await asyncio.wait_for(self.socket.recv(), within)
            except ConnectionClosed as closed:
                frame = closed.rcvd
                raise Closed(frame.code if frame else None, frame.reason if frame else "") from None
            assert isinstance(raw, str), "graphql-transport-ws messages are text frames"
            message = json.loads(raw)
            if message.get("type") == "ping":
                await self.send({"type": "pong"})
                continue
            return message  # type: ignore[no-any-return]

    async def init(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload or {}})
        return await self.receive()

    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None, **extra: Any
    ) -> str:
        operation_id = str(next(_ids))
        payload = {"query": query, "variables": variables or {}, **extra}
        await self.send({"id": operation_id, "type": "subscribe", "payload": payload})
        return operation_id

    async def next_for(self, operation_id: str, within: float = WAIT) -> dict[str, Any]:
        message = await self.receive(within)
        assert message.get("id") == operation_id, message
        return message

    async def data(self, operation_id: str, field: str) -> dict[str, Any]:
        """The next event's payload for `field`, asserting it is a plain `next`."""
        message = await self.next_for(operation_id)
        assert message["type"] == "next", message
        assert not message["payload"].get("errors"), message
        return message["payload"]["data"][field]  # type: ignore[no-any-return]

    async def closed(self, within: float = WAIT) -> Closed:
        try:
            message = await self.receive(within)
        except Closed as closed:
            return closed
        raise AssertionError(f"expected the server to close, got {message}")


@asynccontextmanager
async def connection(
    url: str,
    *,
    cookie: str | None = None,
    origin: str | None = None,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[Connection]:
    extra = dict(headers or {})
    if cookie is not None:
        extra["Cookie"] = f"tenantry_session={cookie}"
    async with connect(
        url,
        subprotocols=[PROTOCOL],  # type: ignore[list-item]
        origin=origin,  # type: ignore[arg-type]
        additional_headers=extra,
        proxy=None,
        open_timeout=WAIT,
    ) as socket:
        yield Connection(socket)


@asynccontextmanager
async def signed_in(url: str, token: str, **kwargs: Any) -> AsyncIterator[Connection]:
    """Connected and acknowledged, by a token in connection_init."""
    async with connection(url, **kwargs) as conn:
        ack = await conn.init({"authorization": f"Bearer {token}"})
        assert ack["type"] == "connection_ack", ack
        yield conn


async def subscribed(
    conn: Connection, query: str, variables: dict[str, Any] | None = None, **extra: Any
) -> str:
    """Subscribed, and in place (its feed is open in the server's hub, which runs in the
    tests' process): whatever happens from now on reaches it."""
    opened = hub.opened
    operation = await conn.subscribe(query, variables, **extra)
    deadline = time.monotonic() + WAIT
    while hub.opened == opened:  # noqa: ASYNC110 - the server's task opens it; no event to await
        assert time.monotonic() < deadline, "the subscription did not start"
        await asyncio.sleep(0.005)
    return operation
