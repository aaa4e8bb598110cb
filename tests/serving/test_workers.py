"""`tenantry serve --workers N`: N processes on the same listener, each answering requests,
one metrics view of all of them, a dead worker replaced, and SIGTERM stopping them all."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import time
from pathlib import Path

import httpx
from prometheus_client.mmap_dict import MmapedDict

from tests.cli.test_commands import free_port
from tests.serving.processes import Serve, sign_in, start
from tests.subscriptions.client import Connection, signed_in
from tests.subscriptions.test_reach import INVITATIONS

INVITE = """
mutation { sendInvitation(input: {username: "nina", email: "nina@invitee.example",
  role: GUEST}) { __typename } }
"""


async def _serving_workers(
    database_url: str, tmp_path: Path, count: int = 2, smtp_port: int | None = None
) -> Serve:
    """`serve --workers count` with its temporary directories under tmp_path/tmp."""
    (tmp_path / "tmp").mkdir(exist_ok=True)
    serve = start(
        database_url, tmp_path, free_port(), workers=count, smtp_port=smtp_port,
        environment={"TMPDIR": str(tmp_path / "tmp")},
    )  # fmt: skip
    await serve.healthy()
    deadline = time.monotonic() + 30
    while len(serve.workers()) < count:
        assert time.monotonic() < deadline, serve.output()
        await asyncio.sleep(0.05)
    return serve


async def _requests(url: str, count: int, concurrency: int = 8) -> None:
    """`count` GETs of `url`, each on a new connection, `concurrency` at a time."""
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        for start_at in range(0, count, concurrency):
            batch = [client.get(url) for _ in range(min(concurrency, count - start_at))]
            assert {answer.status_code for answer in await asyncio.gather(*batch)} == {200}


def _requests_counted_by_worker(tmp_path: Path) -> dict[int, float]:
    """Each worker's own count of /healthz requests, from its prometheus-client multiprocess
    file."""
    [directory] = (tmp_path / "tmp").glob("tenantry-metrics-*")
    counted: dict[int, float] = {}
    for path in directory.glob("counter_*.db"):
        pid = int(re.fullmatch(r"counter_(\d+)\.db", path.name).group(1))  # type: ignore[union-attr]
        for key, value, _timestamp, _position in MmapedDict.read_all_values_from_file(str(path)):
            _metric, name, labels, _help = json.loads(key)
            if name == "tenantry_http_requests_total" and labels["path"] == "/healthz":
                counted[pid] = counted.get(pid, 0) + value
    return counted


async def _each_answers(serve: Serve, tmp_path: Path, workers: list[int]) -> dict[int, float]:
    """Requests until every one of `workers` has answered some (the kernel gives a new
    connection to whichever worker accepts first); each worker's count."""
    deadline = time.monotonic() + 60
    while True:
        await _requests(f"{serve.url}/healthz", 16)
        counted = _requests_counted_by_worker(tmp_path)
        if all(counted.get(pid, 0) > 0 for pid in workers):
            return counted
        assert time.monotonic() < deadline, (counted, serve.output())


def _worker_holding(port: int, client_port: int, workers: list[int]) -> int:
    """The worker whose socket is the server end of the connection from `client_port`."""
    wanted = f"{port:04X}", f"{client_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if (fields[1].rsplit(":", 1)[1], fields[2].rsplit(":", 1)[1]) == wanted:
            inode = fields[9]
    assert inode is not None
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except FileNotFoundError:
                continue
    raise AssertionError("no worker holds the connection")


async def test_two_workers_both_answer_requests_on_the_one_port(fresh_database, tmp_path):
    serve = await _serving_workers(fresh_database, tmp_path)
    try:
        workers = serve.workers()
        counted = await _each_answers(serve, tmp_path, workers)
    finally:
        serve.stop()
    assert len(workers) == 2 and serve.pid not in workers
    assert set(counted) == set(workers)


HEALTHZ_ANSWERED = (
    'tenantry_http_requests_total{method="GET",operation="",path="/healthz",status="200"}'
)


async def _healthz_answered(serve: Serve) -> float:
    """What /metrics (answered by whichever worker) says about /healthz's 200s."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{serve.url}/metrics")).text
    [value] = [line.split()[-1] for line in text.splitlines() if line.startswith(HEALTHZ_ANSWERED)]
    return float(value)


async def test_metrics_add_up_the_requests_of_every_worker(fresh_database, tmp_path):
    serve = await _serving_workers(fresh_database, tmp_path)
    try:
        counted = await _each_answers(serve, tmp_path, serve.workers())
        after = [await _healthz_answered(serve) for _ in range(4)]
    finally:
        serve.stop()
    assert len(counted) == 2
    assert after == [sum(counted.values())] * 4


async def test_a_worker_that_dies_is_replaced_by_a_new_one_that_serves(fresh_database, tmp_path):
    serve = await _serving_workers(fresh_database, tmp_path)
    try:
        killed, kept = serve.workers()
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(workers := serve.workers()) < 2 or killed in workers:
            assert time.monotonic() < deadline, serve.output()
            await asyncio.sleep(0.05)
        [new] = set(workers) - {kept}
        counted = await _each_answers(serve, tmp_path, [new])
    finally:
        status = serve.stop()
    assert counted[new] > 0
    assert f"worker {killed} died" in serve.output()
    assert status == 0, serve.output()


async def test_sigterm_stops_every_worker_and_exits_0(fresh_database, tmp_path):
    serve = await _serving_workers(fresh_database, tmp_path)
    workers = serve.workers()
    assert serve.stop(signal.SIGTERM) == 0, serve.output()
    assert not any(map(_running, workers))
    assert "Traceback" not in serve.output(), serve.output()
    # Its metrics and event-relay directories went with it.
    assert _contents(tmp_path / "tmp") == []


async def test_sigterm_while_the_workers_start_drains_them_and_exits_0(fresh_database, tmp_path):
    serve = start(fresh_database, tmp_path, free_port(), workers=2)
    deadline = time.monotonic() + 60
    while not serve.workers():  # forked, and starting
        assert time.monotonic() < deadline and serve.process.poll() is None, serve.output()
        await asyncio.sleep(0.01)
    assert serve.stop(signal.SIGTERM) == 0, serve.output()
    assert "stopped with status" not in serve.output()


def _running(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def _contents(directory: Path) -> list[Path]:
    return list(directory.iterdir())


async def test_a_subscriber_on_one_worker_sees_a_change_made_through_another(
    fresh_database, tmp_path, mail_server
):
    serve = await _serving_workers(fresh_database, tmp_path, smtp_port=mail_server.port)
    token = await sign_in(serve)
    url = serve.url.replace("http://", "ws://") + "/graphql"
    workers = serve.workers()
    try:
        async with contextlib.AsyncExitStack() as connections:
            # Connections land where the kernel puts them: more until each worker holds one.
            subscribers: dict[int, Connection] = {}
            for _ in range(20):
                conn = await connections.enter_async_context(signed_in(url, token))
                holder = _worker_holding(serve.port, conn.socket.local_address[1], workers)
                subscribers.setdefault(holder, conn)
                if len(subscribers) == 2:
                    break
            assert len(subscribers) == 2, "every connection went to one worker"
            operations = {
                pid: await conn.subscribe(INVITATIONS) for pid, conn in subscribers.items()
            }
            await asyncio.sleep(0.5)  # in place in the workers
            async with httpx.AsyncClient(timeout=30) as client:
                answer = await client.post(
                    f"{serve.url}/graphql", json={"query": INVITE},
                    headers={"Authorization": f"Bearer {token}"},
                )  # fmt: skip
            assert answer.json()["data"]["sendInvitation"]["__typename"] == "InvitationPayload"
            changes = [
                await subscribers[pid].data(operation, "invitationChanged")
                for pid, operation in operations.items()
            ]
    finally:
        serve.stop()
    # One of them heard it from the other worker, whichever answered the mutation.
    assert [change["kind"] for change in changes] == ["CREATED", "CREATED"]
