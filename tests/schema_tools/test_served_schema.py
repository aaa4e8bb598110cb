"""schema.graphql is the schema the server serves: what a client reads by introspection from a
running Tenantry equals the committed file, for graphql-core, graphql-js 16 and
graphql-inspector alike (issue 13, part 6)."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    build_client_schema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    get_introspection_query,
)

from schema.export import print_sdl
from tests.schema_tools.conftest import SCHEMA_FILE, Node


@pytest.fixture(scope="module")
async def introspection(endpoint: str) -> dict[str, Any]:
    """The answer of a running server to the full introspection query, as clients ask it."""
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    async with httpx.AsyncClient() as client:
        answer = (await client.post(endpoint, json={"query": query})).json()
    assert "errors" not in answer, answer
    return answer["data"]  # type: ignore[no-any-return]


@pytest.fixture
def introspection_file(introspection: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "introspection.json"
    path.write_text(json.dumps({"data": introspection}))
    return path


def _diff(committed: str, served: str) -> str:
    lines = difflib.unified_diff(
        committed.splitlines(), served.splitlines(), "schema.graphql", "introspection", lineterm=""
    )
    return "\n".join(lines)


def test_the_committed_schema_prints_exactly_as_the_introspected_one(
    introspection: dict[str, Any],
) -> None:
    served = print_sdl(build_client_schema(introspection)) + "\n"
    committed = SCHEMA_FILE.read_text()
    assert committed == served, _diff(committed, served)


def test_no_change_between_the_committed_and_the_introspected_schema_is_breaking_or_dangerous(
    introspection: dict[str, Any],
) -> None:
    committed, served = build_schema(SCHEMA_FILE.read_text()), build_client_schema(introspection)
    changes = find_breaking_changes(committed, served) + find_dangerous_changes(committed, served)
    assert [change.description for change in changes] == []


async def test_graphql_js_reads_the_same_schema_and_directives_from_file_and_introspection(
    node: Node, introspection_file: Path
) -> None:
    """@deprecated included: graphql-js declares its `reason` itself when it reads a file,
    and takes the server's declaration from introspection."""
    ran = await node.run(
        node.executable, "introspected.mjs", str(SCHEMA_FILE), str(introspection_file)
    )
    assert ran.returncode == 0, ran.stderr
    read = json.loads(ran.stdout)
    assert read["file"] == read["live"], _diff(read["file"], read["live"])


async def test_graphql_inspector_finds_no_change_between_file_and_introspection(
    node: Node, introspection_file: Path
) -> None:
    ran = await node.run(
        *node.bin("@graphql-inspector/cli", "cjs/index.js"),
        "diff", str(SCHEMA_FILE), str(introspection_file),
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "No changes detected" in ran.stdout, ran.stdout
