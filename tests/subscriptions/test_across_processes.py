"""Two real `tenantry serve` processes on one PostgreSQL database, and the npm graphql-ws client
(tests/js, the one frontends use): subscribed on process A, changes made over HTTP on process
B reach it through LISTEN/NOTIFY, and so does the outbox worker's PENDING → SENT."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from config import Config
from tests.factories import Cast
from tests.smtp_server import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "tests" / "js"

pytestmark = pytest.mark.postgres


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(config: Config) -> dict[str, str]:
    return {
        **os.environ,
        # This checkout's code, whatever the virtualenv has installed.
        "PYTHONPATH": str(ROOT),
        "TENANTRY_DATABASE_URL": config.database_url,
        # Behind PgBouncer (tests/postgres.py): the pooler's mode, and the LISTEN connection's URL.
        "TENANTRY_DATABASE_POOLER": config.database_pooler.value,
        **(
            {"TENANTRY_DATABASE_DIRECT_URL": config.database_direct_url}
            if config.database_direct_url
            else {}
        ),  # fmt: skip
        "TENANTRY_SECRET_KEY": config.secret_key,
        "TENANTRY_PUBLIC_URL": config.public_url,
        "TENANTRY_RATE_LIMITS": "off",
        "TENANTRY_OUTBOX_POLL_SECONDS": "0.2",
    }


@contextmanager
def _serving(config: Config, tmp_path: Path, count: int) -> Iterator[list[int]]:
    """`tenantry serve` × count, until each answers /healthz; SIGTERM after."""
    ports = [_free_port() for _ in range(count)]
    processes, logs = [], []
    for port in ports:
        log = open(tmp_path / f"serve-{port}.log", "w+")  # noqa: SIM115
        command = [sys.executable, "-m", "web.cli", "serve", "--no-migrate"]
        processes.append(
            subprocess.Popen(
                [*command, "--host", "127.0.0.1", "--port", str(port)],
                cwd=tmp_path,
                env=_environment(config),
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        )
        logs.append(log)
    try:
        for port, process, log in zip(ports, processes, logs, strict=True):
            _wait_healthy(process, port, log)
        yield ports
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()


def _wait_healthy(process: subprocess.Popen[bytes], port: int, log: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    log.seek(0)
    raise AssertionError(f"serve on {port} did not start:\n{log.read()}")


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """tests/js's packages, installed from its lock file when missing (.ci/run does too)."""
    if shutil.which("node") is None:
        pytest.fail("node (20 or later) is needed for the graphql-ws client test")
    if not (JS / "node_modules" / "graphql-ws").is_dir():
        subprocess.run(["npm", "ci", "--prefix", str(JS)], check=True, timeout=300)
    return JS / "node_modules"


@pytest.fixture
async def servers(config: Config, tmp_path: Path) -> AsyncIterator[list[int]]:
    with _serving(config, tmp_path, 2) as ports:
        yield ports


async def test_a_change_made_on_one_process_reaches_a_subscriber_on_another(
    node_modules: Path, servers: list[int], cast: Cast, smtp: SmtpServer
) -> None:
    a, b = servers
    node = await asyncio.create_subprocess_exec(
        "node", str(JS / "subscribe.mjs"),
        env={**os.environ, "WS_URL": f"ws://127.0.0.1:{a}/graphql",
             "HTTP_URL": f"http://127.0.0.1:{b}/graphql", "TOKEN": cast.admin_a.token,
             "MEMBER_ID": cast.member_a.id},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(node.communicate(), 60)
    assert node.returncode == 0, err.decode()
    seen = json.loads(out)
    assert "subscriptions only" in seen["refusal"]
    created, sent = seen["invitations"]
    assert created["kind"] == "CREATED"
    assert created["invitation"] == {"username": "nina", "emailStatus": "PENDING",
                                     "emailError": None}  # fmt: skip
    assert sent["kind"] == "UPDATED" and sent["invitationId"] == created["invitationId"]
    assert sent["invitation"]["emailStatus"] == "SENT"
    assert len(smtp.messages) == 1
    assert seen["users"] == [
        {"kind": "UPDATED", "userId": cast.member_a.id,
         "user": {"username": "mallory", "role": "GUEST"}},
    ]  # fmt: skip
