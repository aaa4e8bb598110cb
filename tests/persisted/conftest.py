"""The persisted-document tools frontend teams use (GraphQL Code Generator's client preset,
Apollo's generate-persisted-query-manifest and persisted-query-lists, Apollo Client), run with
node against a real Tenantry server on a free port.

The npm project beside this file pins them (package.json, package-lock.json). Each session
copies it, writes the manifests and the generated documents there, and compiles those to
JavaScript. Without node, npm or the installed packages the tests skip, except in CI
(`CI=true`), where they must run: `.ci/run` installs the packages (`npm ci`).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from config import Config, configure, get_config
from tests.browser.conftest import free_socket, serving
from web.app import create_app

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TOOL_TIMEOUT = 180


def _tools_missing() -> str | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node and npm are not installed"
    if not (HERE / "node_modules" / ".package-lock.json").exists():
        return "the npm packages are not installed (npm ci --prefix tests/persisted)"
    return None


def _run(work: Path, *command: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(work / "node_modules" / ".bin" / command[0]), *command[1:]],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the npm project with its manifests written and its documents compiled."""
    missing = _tools_missing()
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the persisted-document tools must run in CI: {missing}")
        pytest.skip(f"persisted-document tools skipped outside CI: {missing}")
    work = tmp_path_factory.mktemp("persisted") / "app"
    shutil.copytree(
        HERE,
        work,
        ignore=shutil.ignore_patterns(
            "node_modules", "build", "gql*", "__pycache__", "*.py", "schema.graphql",
            "persisted-query-manifest.json", "possible-types.json",
        ),
    )  # fmt: skip
    (work / "node_modules").symlink_to(HERE / "node_modules")
    shutil.copy(ROOT / "schema.graphql", work / "schema.graphql")
    shutil.copy(ROOT / "docs/reference/possible-types.json", work / "possible-types.json")
    generators = [
        _run(work, "graphql-codegen", "--config", "codegen.ts"),
        _run(work, "graphql-codegen", "--config", "codegen.older-hashes.ts"),
        _run(work, "generate-persisted-query-manifest"),
    ]
    for process in generators:
        output, _ = process.communicate(timeout=TOOL_TIMEOUT)
        assert process.returncode == 0, output
    compiled = _run(work, "tsc", "-p", "tsconfig.json", "--noCheck")
    output, _ = compiled.communicate(timeout=TOOL_TIMEOUT)
    assert compiled.returncode == 0, output
    return work


Tenantry = Callable[[Path | None], AbstractAsyncContextManager[str]]


@pytest.fixture
async def tenantry(app: object, config: Config) -> AsyncIterator[Tenantry]:
    """Starts Tenantry with `manifest` as its trusted documents (None: any document runs);
    yields its /graphql URL."""

    @asynccontextmanager
    async def start(manifest: Path | None = None) -> AsyncIterator[str]:
        sock = free_socket()
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        live = config.model_copy(update={"public_url": url, "trusted_documents": manifest})
        previous = get_config()
        try:
            async with serving(create_app(live, run_workers=False), sock):
                yield f"{url}/graphql"
        finally:
            configure(previous)

    yield start
    configure(config)


async def node(project: Path, *args: str, script: str = "run.mjs") -> Any:
    """Runs `script` (in the test's event loop, which serves Tenantry meanwhile); answers the
    JSON of its last line."""
    process = await asyncio.create_subprocess_exec(
        "node", script, *args,
        cwd=project, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), TOOL_TIMEOUT)
    assert process.returncode == 0, stderr.decode()
    return json.loads(stdout.decode().strip().splitlines()[-1])
