"""`tenantry serve --workers 2` against `--workers 1` (issue 17, part 5), and what the machine
itself gives a second process.

The CPU of this kind of machine does not run at one speed: the same loop has taken 0.94 s and
1.40 s a minute apart. One run of each server after the other measured that as much as the
workers, so both servers run side by side (the one not measured is idle), and their wrk runs
take turns, three each; each figure is the requests of its three runs over their seconds. The
machine's own figure is found the same way: a busy loop in one process, then in two at once.

The database and wrk run on the same cores as the workers: their CPU per request, counted
during the one-worker runs, is printed beside the figure. (It is no ceiling: in trial runs two
workers did 1.75× and 1.85× one's work where the machine's figure times the server's share of
a request's CPU said 1.62× and 1.42×.)
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bench import queries, wrk
from bench.smtp import free_port


@dataclass(frozen=True)
class Workers:
    one: wrk.Run
    two: wrk.Run
    # Work two busy processes get done in a while, over one's: the most a second worker can give.
    machine: float
    # CPU milliseconds per request during the one-worker runs: the server's, the database's
    # (its processes on this machine) and wrk's.
    server_ms: float
    database_ms: float
    client_ms: float

    @property
    def ratio(self) -> float:
        return self.two.rps / self.one.rps if self.one.rps else 0.0


def serve_accepts_workers() -> bool:
    done = subprocess.run([sys.executable, "-m", "web.cli", "serve", "--help"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    return "--workers" in done.stdout


def measure(
    database_url: str, token: str, secret: str, seconds: float, settle: Callable[[str], None]
) -> Workers | None:
    """The nested page through both servers, 16 connections, turn about."""
    if not serve_accepts_workers():
        return None
    body = json.dumps({"query": queries.USERS_NESTED})
    auth = f"Bearer {token}"
    env = {**os.environ, "TENANTRY_DATABASE_URL": database_url, "TENANTRY_SECRET_KEY": secret,
           "TENANTRY_RATE_LIMITS": "false", "TENANTRY_LOG_LEVEL": "WARNING"}  # fmt: skip
    runs: dict[int, list[wrk.Run]] = {1: [], 2: []}
    cpu = {"server": 0.0, "database": 0.0, "client": 0.0}
    with _serving(1, env) as one, _serving(2, env) as two:
        urls = {1: one, 2: two}
        for url in urls.values():
            wrk.run(url.url, body=body, auth=auth, connections=16, threads=2, seconds=2)
        for _ in range(wrk.ROUNDS):
            for count, served in urls.items():
                settle(served.url)
                print(f"   {time.strftime('%H:%M:%S')} nested_workers_{count}", flush=True)
                before = _cpu_seconds(served.pid)
                runs[count].append(wrk.run(served.url, body=body, auth=auth, connections=16,
                                           threads=2, seconds=seconds))  # fmt: skip
                if count == 1:
                    for name, spent in _cpu_seconds(served.pid).items():
                        cpu[name] += spent - before[name]
    one_run = wrk.together(runs[1])
    per_request = {name: 1000 * spent / max(one_run.requests, 1) for name, spent in cpu.items()}
    return Workers(one_run, wrk.together(runs[2]), machine_scaling(),
                   per_request["server"], per_request["database"], per_request["client"])  # fmt: skip


def _cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of the server (its process and its workers), of the database's
    processes on this machine, and of the finished children of this process (the wrk runs)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    spent: dict[int, float] = {}
    database = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        parents[int(entry)] = int(fields[1])
        spent[int(entry)] = seconds
        if name.startswith("postgres"):
            database += seconds
    server = 0.0
    for pid, seconds in spent.items():
        ancestor = pid
        while ancestor not in (server_pid, 0, 1) and ancestor in parents:
            ancestor = parents[ancestor]
        if ancestor == server_pid:
            server += seconds
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"server": server, "database": database,
            "client": children.ru_utime + children.ru_stime}  # fmt: skip


@dataclass(frozen=True)
class _Served:
    url: str
    pid: int


@contextlib.contextmanager
def _serving(count: int, env: dict[str, str]) -> Iterator[_Served]:
    port = free_port()
    command = [sys.executable, "-m", "web.cli", "serve", "--workers", str(count),
               "--host", "127.0.0.1", "--port", str(port), "--no-migrate"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{url}/healthz", timeout=1).close()  # noqa: S310
                break
            time.sleep(0.2)
        yield _Served(url, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def _spin(seconds: float) -> int:
    """Loops of busy work done in `seconds`."""
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        sum(range(1000))
        done += 1
    return done


def machine_scaling(seconds: float = 1.0) -> float:
    """Work of two busy processes at once over one's alone, turn about."""
    alone = together = 0
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        pool.map(_spin, [0.1, 0.1])  # both started
        for _ in range(wrk.ROUNDS):
            alone += pool.apply(_spin, (seconds,))
            together += sum(pool.map(_spin, [seconds, seconds]))
    return together / alone if alone else 0.0
