"""Real `tenantry serve` processes on a database of their own (SQLite file or a fresh
PostgreSQL database), signed into with the superuser the first one creates."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.smtp_server import FROM_ADDRESS

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "test-secret-key-not-for-production"
LOGIN = """
mutation($password: String!) {
  login(input: {tenant: "default", username: "admin", password: $password}) {
    __typename ... on LoginSuccess { sessionToken }
  }
}
"""


@dataclass
class Serve:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def workers(self) -> list[int]:
        """The worker processes of `--workers N` (none for one process)."""
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except FileNotFoundError:
            return []
        return sorted(int(pid) for pid in text.split())

    async def healthy(self, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"serve on {self.port} did not start:\n{self.output()}")

    def stop(self, sig: signal.Signals = signal.SIGTERM, within: float = 60.0) -> int:
        """Send `sig`, wait for the exit; its status (killed when it does not exit in time)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            output = self.output()
            raise AssertionError(f"serve did not stop within {within} s:\n{output}") from None

    async def exited(self, within: float = 60.0) -> int:
        """Wait (without blocking the event loop) for the process to end; its status."""
        deadline = time.monotonic() + within
        while self.process.poll() is None:
            assert time.monotonic() < deadline, f"still running:\n{self.output()}"
            await asyncio.sleep(0.05)
        return self.process.returncode


def start(
    database_url: str,
    cwd: Path,
    port: int,
    *,
    workers: int = 1,
    migrate: bool = True,
    smtp_port: int | None = None,
    environment: dict[str, str] | None = None,
) -> Serve:
    log = cwd / f"serve-{port}-{time.monotonic_ns()}.log"
    command = [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    if not migrate:
        command.append("--no-migrate")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # this checkout's code, whatever the venv has installed
        "TENANTRY_DATABASE_URL": database_url,
        "TENANTRY_SECRET_KEY": SECRET_KEY,
        "TENANTRY_LOG_JSON": "false",
        "TENANTRY_RATE_LIMITS": "off",
        "TENANTRY_OUTBOX_POLL_SECONDS": "0.2",
        **(environment or {}),
    }
    if smtp_port is not None:
        env["TENANTRY_SMTP_URL"] = f"smtp://127.0.0.1:{smtp_port}?from={FROM_ADDRESS}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
        )  # fmt: skip
    return Serve(process, port, log)


def superuser_password(serve: Serve) -> str:
    found = re.search(r"shown this once: (\S+)", serve.output())
    assert found, serve.output()
    return found.group(1)


async def sign_in(serve: Serve) -> str:
    """A session token of the first superuser, `admin` of tenant `default`."""
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(
            f"{serve.url}/graphql",
            json={"query": LOGIN, "variables": {"password": superuser_password(serve)}},
        )
    login = answer.json()["data"]["login"]
    assert login["__typename"] == "LoginSuccess", login
    return str(login["sessionToken"])
