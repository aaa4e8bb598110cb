"""Apps served by a real uvicorn on 127.0.0.1 (WebSockets need a real server), in the tests'
event loop, so factories and the app share the database and the hub."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
import uvicorn

from config import Config, configure
from tests.smtp_server import smtp, smtp_down  # noqa: F401  (fixtures)
from web.app import create_app


class _Server(uvicorn.Server):
    def capture_signals(self):  # type: ignore[no-untyped-def,override]
        return contextlib.nullcontext()  # the test runner keeps its signal handlers


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """The WebSocket URL of `app` served on a free port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(app, lifespan="off", log_config=None, access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="session")
async def ws_url(app: object) -> AsyncIterator[str]:
    async with serving(app) as url:
        yield url


@pytest.fixture
async def ws_url_with(
    app: object, config: Config
) -> AsyncIterator[Callable[..., AbstractAsyncContextManager[str]]]:
    """An app with other settings, sharing the test database (like `client_with`)."""

    @contextlib.asynccontextmanager
    async def build(**overrides: Any) -> AsyncIterator[str]:
        other = create_app(config.model_copy(update=overrides), run_workers=False)
        try:
            async with serving(other) as url:
                yield url
        finally:
            configure(config)

    yield build
    configure(config)
