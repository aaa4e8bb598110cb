"""A real browser (Debian's chromium, driven by Playwright) against the real server over TCP.

The server runs in the test's event loop (uvicorn), on the test database, so factories set up
its state. The browser can reach loopback addresses only (every other host goes to a dead proxy
and resolves to nothing), and each test fails if a page even tried to reach an origin it did not
allow (GraphiQL must work without internet). Requests are watched, never intercepted:
Playwright answers CORS preflights itself while it routes requests, which would hide exactly
what tests/browser/test_cors.py checks.

Without chromium the tests skip, except in CI (`CI=true`), where they must run: `.ci/run`
installs it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from starlette.applications import Starlette

from config import Config, configure, get_config
from web.app import create_app

CHROMIUM = "/usr/bin/chromium"


def _browser_missing() -> str | None:
    if shutil.which("chromium") is None or not os.path.exists(CHROMIUM):
        return "Debian's chromium is not installed (apt-get install chromium)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    missing = _browser_missing()
    if missing is None:
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests must run in CI: {missing}")
    pytest.skip(f"browser tests skipped outside CI: {missing}")


@pytest.fixture(scope="module")
async def browser(chromium_path: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--disable-background-networking",
                "--no-first-run",
                "--disable-sync",
                "--proxy-server=http://127.0.0.1:9",  # nothing listens there
                "--proxy-bypass-list=127.0.0.1;localhost",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
            ],
        )
        yield browser
        await browser.close()


def free_socket(host: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


@asynccontextmanager
async def serving(app: Any, sock: socket.socket) -> AsyncIterator[str]:
    """`app` over HTTP on `sock` until the block ends; yields http://127.0.0.1:PORT."""
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="off", log_config=None, access_log=False, log_level="warning")
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Tenantry:
    url: str
    config: Config


LiveServer = Callable[..., AbstractAsyncContextManager[Tenantry]]


@pytest.fixture(scope="module")
async def live_server(app: object, config: Config) -> AsyncIterator[LiveServer]:
    """Starts Tenantry with other settings on a free port (the test database, no workers)."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Tenantry]:
        sock = free_socket()
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        live_config = config.model_copy(update={"public_url": url, **overrides})
        previous = get_config()
        application = create_app(live_config, run_workers=False)
        try:
            async with serving(application, sock):
                yield Tenantry(url=url, config=live_config)
        finally:
            configure(previous)

    yield start
    configure(config)


@dataclass
class NetworkGuard:
    """Remembers every request to an origin other than the `allowed` ones."""

    allowed: set[str]
    strays: list[str] = field(default_factory=list)

    def watch(self, request: Any) -> None:
        parts = urlsplit(request.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme not in ("data", "blob") and origin not in self.allowed:
            self.strays.append(request.url)


@asynccontextmanager
async def browsing(browser: Any, *allowed: str) -> AsyncIterator[tuple[Any, NetworkGuard]]:
    """A fresh browser context (no cookies, empty storage) that may reach `allowed` only."""
    guard = NetworkGuard(allowed=set(allowed))
    context = await browser.new_context()
    context.on("request", guard.watch)
    try:
        yield context, guard
    finally:
        await context.close()
    assert guard.strays == [], f"the browser tried to leave the server: {guard.strays}"


def frontend_app() -> Starlette:
    """Another origin's page, as a frontend team's dev server would serve it."""
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    async def index(request: object) -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>frontend</title><h1>frontend</h1>")

    return Starlette(routes=[Route("/", index)])
