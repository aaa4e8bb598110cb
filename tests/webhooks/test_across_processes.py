"""Two real `tenantry serve` processes on one PostgreSQL database deliver each event to the
receiver exactly once, in order; a process killed mid-delivery hands its claim to the other,
which delivers the event under the same webhook-id."""

from __future__ import annotations

import asyncio
import contextvars
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from config import Config
from domain import webhook_delivery
from models import DeliveryStatus, WebhookDelivery
from tests.factories import Cast
from tests.users.queries import UPDATE_USER
from tests.webhooks.queries import CREATE

ROOT = Path(__file__).resolve().parents[2]
# A claim lasts this and ten seconds more: a killed process's delivery is taken over then.
TIMEOUT_SECONDS = 8

pytestmark = pytest.mark.postgres


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(config: Config) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TENANTRY_DATABASE_URL": config.database_url,
        "TENANTRY_SECRET_KEY": config.secret_key,
        "TENANTRY_PUBLIC_URL": config.public_url,
        "TENANTRY_RATE_LIMITS": "off",
        "TENANTRY_WEBHOOK_ALLOW_PRIVATE": "true",
        "TENANTRY_WEBHOOK_POLL_SECONDS": "0.2",
        "TENANTRY_WEBHOOK_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
    }


class Server:
    """One `tenantry serve` process, answering on its own port."""

    def __init__(self, config: Config, tmp_path: Path) -> None:
        self.port = _free_port()
        self.log = open(tmp_path / f"serve-{self.port}.log", "w+")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "serve", "--no-migrate", "--host", "127.0.0.1",
             "--port", str(self.port)],
            cwd=tmp_path, env=_environment(config), stdout=self.log, stderr=subprocess.STDOUT,
            # Its own process group: kill() takes its worker processes too, should it have some.
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.log.seek(0)
        raise AssertionError(f"serve on {self.port} did not start:\n{self.log.read()}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def pids(self) -> set[int]:
        """The process and its descendants."""
        family = {self.process.pid}
        parents = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(stat.parent.name)] = int(fields[1])
        grew = True
        while grew:
            children = {pid for pid, ppid in parents.items() if ppid in family} - family
            family |= children
            grew = bool(children)
        return family

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@contextmanager
def serving(config: Config, tmp_path: Path) -> Iterator[Any]:
    started: list[Server] = []

    def start() -> Server:
        started.append(Server(config, tmp_path))
        return started[-1]

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@pytest.fixture
async def only_the_servers_deliver() -> AsyncIterator[None]:
    """The test's own app runs a webhook worker too: it is paused, so that the deliveries
    counted are the two server processes' alone."""
    mine = [
        task for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "cr_code", None) is webhook_delivery.run_worker.__code__
    ]  # fmt: skip
    for task in mine:
        task.cancel()
    await asyncio.gather(*mine, return_exceptions=True)
    # The app's database context, for the worker started again after the test.
    context = contextvars.copy_context()
    yield
    for _ in mine:
        asyncio.create_task(webhook_delivery.run_worker(), context=context)  # noqa: RUF006


async def _hook(gql, cast: Cast, receiver) -> str:
    variables = {"input": {"url": receiver.url, "events": ["user.role_changed"],
                           "tenantId": str(cast.tenant_a.id)}}  # fmt: skip
    created = (await gql(CREATE, variables, as_=cast.admin_a)).payload("createWebhook")
    return created["secret"]


async def _set_role(server: Server, cast: Cast, role: str) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        answer = await client.post(
            "/graphql",
            json={
                "query": UPDATE_USER,
                "variables": {"input": {"id": cast.member_a.id, "role": role}},
            },
            headers={"authorization": f"Bearer {cast.admin_a.token}"},
        )
    assert answer.json()["data"]["updateUser"]["__typename"] == "UserPayload", answer.text


async def test_two_processes_deliver_each_event_exactly_once_in_order(
    config: Config, tmp_path: Path, cast: Cast, gql, receiver, only_the_servers_deliver
) -> None:
    secret = await _hook(gql, cast, receiver)
    roles = ["GUEST", "MEMBER", "ADMIN", "GUEST", "MEMBER", "GUEST", "ADMIN", "MEMBER"]
    with serving(config, tmp_path) as start:
        servers = [start(), start()]
        for number, role in enumerate(roles):
            await _set_role(servers[number % 2], cast, role)
        received = await receiver.wait_for(len(roles), within=30)
        await asyncio.sleep(1.5)  # a duplicate would have arrived by now
    assert len(receiver.requests) == len(roles)
    bodies = [r.verified(secret) for r in received]
    assert [b["data"]["changes"]["role"] for b in bodies] == [r.lower() for r in roles]
    ids = [r.headers["webhook-id"] for r in received]
    assert len(set(ids)) == len(roles)
    assert await WebhookDelivery.filter(status=DeliveryStatus.SUCCEEDED, attempts=1).count() == len(
        roles
    )


def _sender(servers: list[Server], client_port: int) -> Server:
    """The server whose process holds the TCP connection from `client_port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == client_port:
                    inodes.add(f"socket:[{fields[9]}]")
    for server in servers:
        for pid in server.pids():
            try:
                links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
            except OSError:
                continue
            if inodes & set(links):
                return server
    raise AssertionError(f"no server holds the connection from port {client_port}")


async def test_a_process_killed_mid_delivery_hands_it_to_the_other(
    config: Config, tmp_path: Path, cast: Cast, gql, receiver, only_the_servers_deliver
) -> None:
    secret = await _hook(gql, cast, receiver)
    receiver.hang_first = threading.Event()
    with serving(config, tmp_path) as start:
        servers = [start(), start()]
        await _set_role(servers[0], cast, "GUEST")
        (held,) = await receiver.wait_for(1, within=20)  # one process is sending, and hangs
        sending = _sender(servers, held.client_port)
        sending.kill()
        receiver.hang_first.set()
        received = await receiver.wait_for(2, within=2 * TIMEOUT_SECONDS + 30)
        await asyncio.sleep(1.0)
        (survivor,) = [server for server in servers if server is not sending]
        assert survivor.process.poll() is None
    held, delivered = received
    assert len(receiver.requests) == 2
    assert delivered.headers["webhook-id"] == held.headers["webhook-id"]
    assert delivered.body == held.body
    assert receiver.answered == [delivered.headers["webhook-id"]]
    assert delivered.verified(secret)["data"]["changes"] == {"role": "guest"}
    row = await WebhookDelivery.get()
    assert (row.status, row.attempts) == (DeliveryStatus.SUCCEEDED, 1)


async def test_a_delivery_being_sent_at_sigterm_is_finished_and_recorded_once(
    config: Config, tmp_path: Path, cast: Cast, gql, receiver, only_the_servers_deliver
) -> None:
    secret = await _hook(gql, cast, receiver)
    receiver.hold = threading.Event()
    with serving(config, tmp_path) as start:
        server = start()
        await _set_role(server, cast, "GUEST")
        (held,) = await receiver.wait_for(1, within=20)  # being sent: the receiver holds it
        server.process.send_signal(signal.SIGTERM)
        await asyncio.sleep(1.0)
        assert server.process.poll() is None, "the drain waits for the delivery"
        receiver.hold.set()
        exit_code = await asyncio.to_thread(server.process.wait, 30)
    assert exit_code == 0
    assert len(receiver.requests) == 1
    assert receiver.answered == [held.headers["webhook-id"]]
    assert held.verified(secret)["data"]["changes"] == {"role": "guest"}
    row = await WebhookDelivery.get()
    assert (row.status, row.attempts, row.claimed_until) == (DeliveryStatus.SUCCEEDED, 1, None)
