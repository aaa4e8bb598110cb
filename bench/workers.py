"""`tenantry serve --workers 2` against `--workers 1` (issue 17, part 5), and what the machine
itself gives a second process.

The CPU of this kind of machine does not run at one speed: the same loop has taken 0.94 s and
1.40 s a minute apart. One run of each server after the other measured that as much as the
workers, so both servers run side by side (the one not measured is idle), and their wrk runs
take turns, three each; each figure is the requests of its three runs over their seconds. The
machine's own figure is found the same way: a busy loop in one process, then in two at once.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
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
    with _serving(1, env) as one, _serving(2, env) as two:
        urls = {1: one, 2: two}
        for url in urls.values():
            wrk.run(url, body=body, auth=auth, connections=16, threads=2, seconds=2)
        for _ in range(wrk.ROUNDS):
            for count, url in urls.items():
                settle(url)
                print(f"   {time.strftime('%H:%M:%S')} nested_workers_{count}", flush=True)
                runs[count].append(wrk.run(url, body=body, auth=auth, connections=16,
                                           threads=2, seconds=seconds))  # fmt: skip
    return Workers(wrk.together(runs[1]), wrk.together(runs[2]), machine_scaling())


@contextlib.contextmanager
def _serving(count: int, env: dict[str, str]) -> Iterator[str]:
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
        yield url
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
