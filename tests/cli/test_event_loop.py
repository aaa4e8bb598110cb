"""`tenantry serve` runs on uvloop when it is installed, on asyncio's loop when not, and stops
cleanly on SIGTERM (and SIGINT) either way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_commands import free_port
from tests.cli.test_starting_together import ROOT, _healthy


def _serve(tmp_path: Path, pythonpath: list[Path], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(map(str, pythonpath)),
            "TENANTRY_DATABASE_URL": f"sqlite://{tmp_path / 'tenantry.db'}",
            "TENANTRY_SECRET_KEY": "test-secret-key-not-for-production",
            "TENANTRY_LOG_JSON": "false",
        },
    )


async def _serve_then_signal(
    tmp_path: Path, pythonpath: list[Path], stop: signal.Signals = signal.SIGTERM
) -> tuple[bool, int, str]:
    """Serve until /healthz answers, then send `stop`: (healthy, exit status, output)."""
    port = free_port()
    process = _serve(tmp_path, pythonpath, port)
    try:
        healthy = await _healthy(process, port)
    finally:
        if process.poll() is None:
            process.send_signal(stop)
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    return healthy, process.returncode, output


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_serve_runs_on_uvloop_and_stops_on_a_signal(tmp_path, stop):
    pytest.importorskip("uvloop")
    healthy, status, output = await _serve_then_signal(tmp_path, [ROOT], stop)
    assert healthy and status == 0 and "Traceback" not in output, output
    assert "event loop: uvloop" in output, output


async def test_serve_falls_back_to_asyncio_without_uvloop_and_stops_on_sigterm(tmp_path):
    # A module of that name which fails to import, first on the path: uvloop is not there.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "uvloop.py").write_text("raise ImportError('uvloop is not installed')\n")
    healthy, status, output = await _serve_then_signal(tmp_path, [shadow, ROOT])
    assert healthy and status == 0 and "Traceback" not in output, output
    assert "event loop: asyncio" in output, output
