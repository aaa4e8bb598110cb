"""The log format a `tenantry serve` picks: coloured lines for someone at a terminal, JSON for
a pipe or a file (a log collector), and TENANTRY_LOG_JSON decides over both."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.test_commands import free_port

ROOT = Path(__file__).resolve().parents[2]
ESCAPE = "\x1b["


def _serve_and_read(tmp_path: Path, *, terminal: bool, log_json: str | None = None) -> list[str]:
    """The lines a server writes from start to stop, after one request."""
    environment = {k: v for k, v in os.environ.items() if k != "TENANTRY_LOG_JSON"}
    environment |= {
        "PYTHONPATH": str(ROOT),
        "TENANTRY_DATABASE_URL": f"sqlite://{tmp_path / 'tenantry.db'}",
        "TENANTRY_SECRET_KEY": "test-secret-key-not-for-production",
    }
    if log_json is not None:
        environment["TENANTRY_LOG_JSON"] = log_json
    # A superuser exists: the first-start announcement (a plain print) stays out of the output.
    create = [sys.executable, "-m", "web.cli", "create-superuser", "--tenant", "acme",
              "--username", "root", "--email", "root@acme.io", "--password-stdin"]  # fmt: skip
    subprocess.run(create, input="a long enough secret\n", text=True, env=environment,
                   cwd=tmp_path, check=True, capture_output=True, timeout=120)  # fmt: skip
    port = free_port()
    command = [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if terminal:
        reader, writer = pty.openpty()
    else:
        reader, writer = os.pipe()
    server = subprocess.Popen(command, cwd=tmp_path, stdout=writer, stderr=writer, env=environment)
    os.close(writer)
    chunks: list[bytes] = []

    def read_all() -> None:
        while True:
            try:
                chunk = os.read(reader, 65536)
            except OSError:  # a pty answers EIO once the other side closed
                break
            if not chunk:
                break
            chunks.append(chunk)

    drain = threading.Thread(target=read_all)
    drain.start()
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not become healthy")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        drain.join(timeout=20)
        os.close(reader)
    text = b"".join(chunks).decode()
    return [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def test_a_server_writing_to_a_terminal_logs_coloured_lines_not_json(tmp_path):
    lines = _serve_and_read(tmp_path, terminal=True)
    assert any("/healthz" in line for line in lines), lines
    assert not any(line.startswith("{") for line in lines), lines
    assert any(ESCAPE in line for line in lines), lines


def test_a_server_writing_to_a_pipe_logs_one_json_object_per_line(tmp_path):
    lines = _serve_and_read(tmp_path, terminal=False)
    events = [json.loads(line) for line in lines]
    assert any(event.get("path") == "/healthz" for event in events), lines
    assert not any(ESCAPE in line for line in lines)


def test_tenantry_log_json_true_gives_json_even_at_a_terminal(tmp_path):
    lines = _serve_and_read(tmp_path, terminal=True, log_json="true")
    events = [json.loads(line) for line in lines]
    assert any(event.get("path") == "/healthz" for event in events), lines


def test_tenantry_log_json_false_gives_plain_lines_without_colour_codes_in_a_pipe(tmp_path):
    lines = _serve_and_read(tmp_path, terminal=False, log_json="false")
    assert any("/healthz" in line for line in lines), lines
    assert not any(line.startswith("{") or ESCAPE in line for line in lines), lines
