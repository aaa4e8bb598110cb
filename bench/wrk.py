"""wrk, driven from here as a second process; figures read from report.lua's JSON line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("report.lua")


# Figures compared with each other run in turns, this many each: the CPU's speed drifts.
ROUNDS = 3


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    socket_errors: int
    status_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing it with apt-get", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed")
    return found


def start(
    url: str, *, body: str | None = None, auth: str | None = None, path: str = "/graphql",
    method: str = "POST", connections: int = 1, threads: int = 1, seconds: float = 5,
) -> subprocess.Popen[str]:  # fmt: skip
    env = {
        **os.environ,
        "BENCH_BODY": body or "",
        "BENCH_AUTH": auth or "",
        "BENCH_PATH": path,
        "BENCH_METHOD": method,
    }
    command = [
        ensure_wrk(), "-t", str(min(threads, connections)), "-c", str(connections),
        "-d", f"{max(int(seconds), 1)}s", "--timeout", "10s", "-s", str(SCRIPT), url,
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip


def finish(process: subprocess.Popen[str]) -> Run:
    out, err = process.communicate()
    line = next((x for x in out.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{out}\n{err}")
    raw = json.loads(line.removeprefix("BENCHJSON "))
    return Run(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        socket_errors=raw["socket_errors"],
        status_errors=raw["status_errors"],
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        mean_ms=raw["mean_us"] / 1000,
    )


def run(url: str, **kwargs: object) -> Run:
    return finish(start(url, **kwargs))  # type: ignore[arg-type]


def together(runs: list[Run]) -> Run:
    """Several runs as one: their requests over their seconds, the worst of their latencies."""
    requests = sum(r.requests for r in runs)
    return Run(
        requests=requests,
        seconds=sum(r.seconds for r in runs),
        socket_errors=sum(r.socket_errors for r in runs),
        status_errors=sum(r.status_errors for r in runs),
        p50_ms=max(r.p50_ms for r in runs),
        p90_ms=max(r.p90_ms for r in runs),
        p99_ms=max(r.p99_ms for r in runs),
        mean_ms=sum(r.mean_ms * r.requests for r in runs) / max(requests, 1),
    )
