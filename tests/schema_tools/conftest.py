"""The clients' own schema tools (npm: graphql-schema-linter, graphql-inspector, graphql-http's
audit, graphql-js) against schema.graphql and a real Tenantry over TCP.

The npm project is this folder (package.json, package-lock.json); `.ci/run` installs it with
`npm ci --prefix tests/schema_tools`, and so does this module when it is missing. Without node
and npm the tests are skipped, except under CI (`CI=true`), where that fails."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from config import Config, configure, get_config
from tests.browser.conftest import free_socket, serving
from web.app import create_app

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCHEMA_FILE = ROOT / "schema.graphql"


@dataclass(frozen=True)
class Node:
    """node, with this folder's packages installed."""

    executable: str

    def bin(self, package: str, script: str) -> list[str]:
        return [self.executable, str(HERE / "node_modules" / package / script)]

    async def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        """In the background, so that a server in this event loop keeps answering it (for
        five minutes at most)."""
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=HERE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"},
        )
        async with asyncio.timeout(300):
            out, err = await process.communicate()
        assert process.returncode is not None
        return subprocess.CompletedProcess(command, process.returncode, out.decode(), err.decode())


@pytest.fixture(scope="session")
def node() -> Node:
    executable, npm = shutil.which("node"), shutil.which("npm")
    if executable is None or npm is None:
        reason = "node and npm are not installed: the clients' schema tools cannot run"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    if not (HERE / "node_modules" / ".package-lock.json").exists():
        subprocess.run(
            [npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
    return Node(executable)


@pytest.fixture(scope="module")
async def endpoint(app: object, config: Config) -> AsyncIterator[str]:
    """Tenantry over HTTP on a free port (the test database, no workers): its /graphql URL."""
    sock = free_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    previous = get_config()
    application = create_app(config.model_copy(update={"public_url": url}), run_workers=False)
    try:
        async with serving(application, sock):
            yield f"{url}/graphql"
    finally:
        configure(previous)


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]
