"""A real webhook receiver: an HTTP server on 127.0.0.1 that the deliveries reach."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook as Verifier

from config import Config, configure, get_config
from tests.dns_server import dns_zone  # noqa: F401  (fixture)
from tests.smtp_server import smtp  # noqa: F401  (fixture)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    # The sender's side of the connection (which process sent it: see test_across_processes).
    client_port: int = 0

    def verified(self, secret: str) -> dict:
        """The body, once standardwebhooks' own verifier accepts its signature."""
        return Verifier(secret).verify(self.body, self.headers)


@dataclass
class Receiver:
    port: int
    requests: list[Received] = field(default_factory=list)
    # Answer these statuses, one per request, then 200.
    answers: list[int] = field(default_factory=list)
    # Set: requests wait for it before answering (a receiver that hangs).
    hold: threading.Event | None = None
    # Set: the first request waits for it, then the connection closes unanswered (its sender
    # is killed meanwhile).
    hang_first: threading.Event | None = None
    # The webhook-id of every request answered 2xx.
    answered: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def wait_for(self, count: int, within: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + within
        while len(self.requests) < count:
            assert time.monotonic() < deadline, f"{len(self.requests)} of {count} arrived"
            await asyncio.sleep(0.05)
        return self.requests


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append(Received(self.path, headers, body, self.client_address[1]))
            if state.hang_first is not None and len(state.requests) == 1:
                state.hang_first.wait(60)
                self.close_connection = True
                return
            if state.hold is not None:
                state.hold.wait(30)
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("location", f"http://127.0.0.1:{state.port}/elsewhere")
            self.send_header("content-length", "0")
            self.end_headers()
            if 200 <= status < 300:
                state.answered.append(self.headers.get("webhook-id", ""))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    # A short poll: shutdown() waits for the loop's next poll (half a second by default),
    # at the end of every test.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        for event in (state.hold, state.hang_first):
            if event is not None:
                event.set()
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def private_addresses_allowed(app: object) -> Iterator[None]:
    """The receiver listens on 127.0.0.1: the tests allow private addresses, as the issue
    says; those that check the refusal turn it off again (`with_settings`)."""
    with with_settings(webhook_allow_private=True):
        yield


@contextmanager
def with_settings(**update: object) -> Iterator[Config]:
    before = get_config()
    changed = configure(before.model_copy(update=update))
    try:
        yield changed
    finally:
        configure(before)
