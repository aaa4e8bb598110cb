"""A loopback HTTP load balancer: each request goes to the next backend in turn, on a connection
of its own (`Connection: close`).

Like HAProxy's `retry-on conn-failure empty-response` (or nginx's `proxy_next_upstream error`),
a request is sent to the next backend when one refuses the connection or closes it without
answering a byte: that is how a load balancer meets a process that stopped accepting. A
backend that answered part of a response and then broke is passed on as it is: a failure the
client sees.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator


class RoundRobin:
    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self._turn = itertools.count()
        self.retries = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[RoundRobin]:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        try:
            yield self
        finally:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await _read_request(reader)
            if request is not None:
                writer.write(await self._forward(request))
                await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _forward(self, request: bytes) -> bytes:
        first = next(self._turn)
        for attempt in range(len(self.backends) * 3):
            port = self.backends[(first + attempt) % len(self.backends)]
            try:
                backend_reader, backend_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                self.retries += 1
                continue
            try:
                backend_writer.write(request)
                await backend_writer.drain()
                response = await backend_reader.read()
            except OSError:
                response = b""
            finally:
                backend_writer.close()
                with contextlib.suppress(OSError):
                    await backend_writer.wait_closed()
            if response:
                return response
            self.retries += 1
        return b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n"


async def _read_request(reader: asyncio.StreamReader) -> bytes | None:
    """The whole request, its Connection header replaced by `close`."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")[:-2]
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        if name.strip().lower() != "connection":
            kept.append(line)
    kept.append("Connection: close")
    body = await reader.readexactly(length) if length else b""
    return ("\r\n".join(kept) + "\r\n\r\n").encode("latin-1") + body
