"""Relay's own compiler (npm `relay-compiler`) accepts schema.graphql: a connection paged both
ways (`@connection` with first/after and last/before) and a fragment refetched through
`node(id:)` (`@refetchable` on a Node type). The operations it prints then run against the
server as a Relay client would send them.

The npm project is this folder (package.json, package-lock.json); `.ci/run` installs it with
`npm ci --prefix tests/relay`, and so does this module when it is missing. Without node and
npm the module is skipped, except under CI, where that fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from models import Role
from tests.factories import Factory
from tests.graphql_client import GraphQLClient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
COMPILER = HERE / "node_modules" / "relay-compiler" / "cli.js"
# Prints each compiled operation's `params` (name, text), as the artifacts themselves export.
READ_ARTIFACTS = """
const { readdirSync } = require("node:fs");
const { resolve } = require("node:path");
const found = {};
for (const file of readdirSync("src/__generated__")) {
  const artifact = require(resolve("src/__generated__", file));
  if (artifact.kind === "Request") found[artifact.params.name] = artifact.params;
}
console.log(JSON.stringify(found));
"""


def _tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        reason = "node and npm are not installed: Relay's compiler cannot run"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return node, npm


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """The compiler run on a copy of this project (the repository is left as it was), with
    the repository's schema.graphql."""
    node, npm = _tools()
    if not COMPILER.exists():
        subprocess.run(
            [npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
    work = tmp_path_factory.mktemp("relay")
    shutil.copytree(HERE / "src", work / "src", ignore=shutil.ignore_patterns("__generated__"))
    config = json.loads((HERE / "relay.config.json").read_text())
    config["schema"] = str(ROOT / "schema.graphql")
    (work / "relay.config.json").write_text(json.dumps(config))
    return subprocess.run(
        [node, str(COMPILER), str(work / "relay.config.json")],
        cwd=work, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def operations(compiled: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    node, _ = _tools()
    work = Path(compiled.args[2]).parent
    printed = subprocess.run(
        [node, "-e", READ_ARTIFACTS],
        cwd=work, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return json.loads(printed.stdout)  # type: ignore[no-any-return]


def test_relays_compiler_accepts_a_connection_paged_both_ways_and_a_node_refetch(
    compiled: subprocess.CompletedProcess[str], operations: dict[str, dict[str, Any]]
) -> None:
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    assert {"UsersPageQuery", "UsersPagePaginationQuery", "UserCardRefetchQuery"} <= set(operations)
    assert "node(id: $id)" in operations["UserCardRefetchQuery"]["text"]


@pytest.fixture
async def six_people(make: Factory) -> tuple[Any, list[str]]:
    """An admin and five colleagues: three pages of two, in username order."""
    tenant = await make.tenant("relayco")
    reader = await make.person(tenant, username="ada", role=Role.ADMIN)
    names = ["ada", "ben", "cy", "dora", "eve", "finn"]
    for name in names[1:]:
        await make.user(tenant, username=name)
    return reader, names


def _page(answer: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    users = answer["users"]
    return [edge["node"]["username"] for edge in users["edges"]], users["pageInfo"]


async def test_the_compiled_pagination_query_pages_forward_then_back_through_three_pages(
    gql: GraphQLClient, operations: dict[str, dict[str, Any]], six_people: tuple[Any, list[str]]
) -> None:
    reader, names = six_people
    text = operations["UsersPagePaginationQuery"]["text"]

    async def page(**variables: Any) -> tuple[list[str], dict[str, Any]]:
        # As Relay sends them: the other direction's count and cursor set to null.
        sent = {"first": None, "after": None, "last": None, "before": None, **variables}
        answer = (await gql(text, sent, as_=reader)).ok()
        assert answer["users"]["totalCount"] == 6
        return _page(answer)

    forward, after = [], None
    for _ in range(3):
        rows, info = await page(first=2, after=after)
        forward.append((rows, info["hasPreviousPage"], info["hasNextPage"]))
        after = info["endCursor"]
    assert forward == [
        (names[0:2], False, True),
        (names[2:4], True, True),
        (names[4:6], True, False),
    ]

    backward, before = [], None
    for _ in range(3):
        rows, info = await page(last=2, before=before)
        backward.append((rows, info["hasPreviousPage"], info["hasNextPage"]))
        before = info["startCursor"]
    assert backward == [
        (names[4:6], True, False),
        (names[2:4], True, True),
        (names[0:2], False, True),
    ]


async def test_the_compiled_refetch_query_fetches_a_user_again_by_its_id(
    gql: GraphQLClient, operations: dict[str, dict[str, Any]], six_people: tuple[Any, list[str]]
) -> None:
    reader, _ = six_people
    text = operations["UserCardRefetchQuery"]["text"]
    answer = (await gql(text, {"id": reader.id}, as_=reader)).ok()
    assert answer["node"] == {
        "__typename": "User",
        "id": reader.id,
        "username": "ada",
        "email": reader.user.email,
        "role": "ADMIN",
    }
