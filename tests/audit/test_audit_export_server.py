"""The export from a real server process: the answer is streamed (chunked, no length known
beforehand) batch after batch, and holds every event once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from domain.audit_log import EXPORT_BATCH
from models import AuditEvent
from tests.factories import Cast

TENANTRY = str(Path(sys.executable).parent / "tenantry")
EVENTS = 2 * EXPORT_BATCH + 123  # three batches


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(config, tmp_path):  # type: ignore[no-untyped-def]
    port = free_port()
    env = {
        **os.environ,
        "TENANTRY_DATABASE_URL": config.database_url,
        "TENANTRY_SECRET_KEY": config.secret_key,
        "TENANTRY_PUBLIC_URL": config.public_url,
    }
    process = subprocess.Popen(
        [TENANTRY, "serve", "--no-migrate", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("the server did not become healthy")
        yield url
    finally:
        process.terminate()
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


async def test_a_server_streams_an_export_of_several_batches_in_full(cast: Cast, server):
    start = datetime.now(UTC)
    await AuditEvent.bulk_create(
        [
            AuditEvent(tenant_id=cast.tenant_a.id, action=f"e.{n}", at=start - timedelta(seconds=n))
            for n in range(EVENTS)
        ],
        batch_size=500,
    )
    headers = {"Authorization": f"Bearer {cast.admin_a.token}"}
    async with (
        httpx.AsyncClient(timeout=60) as client,
        client.stream("GET", f"{server}/audit-log/export?format=jsonl", headers=headers) as answer,
    ):
        assert answer.status_code == 200
        assert answer.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in answer.headers
        actions = [json.loads(line)["action"] async for line in answer.aiter_lines() if line]
    assert actions == [f"e.{n}" for n in range(EVENTS)]
