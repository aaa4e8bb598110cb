"""The users page with its relations is built by one plan (issue 17, part 1): `tenant`,
`ownedProjects` (its permission checked by the pure policy function) and `owner` read what
the page preloaded, so below `users` no field takes graphql-core's per-field path; a caller
who may not see some users' projects gets those nodes from the general path, with its error.
tests/web/test_differential.py proves the answers byte-equal on generated documents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient

from config import Config
from tests.counting_executor import CountsExecutedFields, counting_client
from tests.factories import Cast, Factory

NESTED = """
query {
  users(first: 100) {
    edges { node { id username tenant { name } ownedProjects { id name owner { username } } } }
  }
}
"""


@pytest.fixture
async def counting(app: object, config: Config) -> AsyncIterator[AsyncClient]:
    async with counting_client(config) as client:
        yield client


async def run(client: AsyncClient, caller: Any) -> dict[str, Any]:
    CountsExecutedFields.executed.clear()
    headers = {"Authorization": f"Bearer {caller.token}"}
    response = await client.post("/graphql", json={"query": NESTED}, headers=headers)
    return response.json()  # type: ignore[no-any-return]


async def test_an_admins_nested_users_page_takes_the_general_path_only_for_users(
    counting: AsyncClient, make: Factory
) -> None:
    tenant = await make.tenant("bigco")
    admin = await make.person(tenant, role="admin")
    for _ in range(5):
        await make.project(await make.user(tenant))

    answer = await run(counting, admin)

    assert "errors" not in answer
    edges = answer["data"]["users"]["edges"]
    assert len(edges) == 6
    assert sum(len(edge["node"]["ownedProjects"]) for edge in edges) == 5
    assert CountsExecutedFields.executed == []


async def test_a_members_page_plans_their_own_node_and_refuses_the_others_projects(
    counting: AsyncClient, cast: Cast
) -> None:
    answer = await run(counting, cast.member_a)

    edges = answer["data"]["users"]["edges"]
    refused = [error["path"] for error in answer["errors"]]
    mine = [edge["node"] for edge in edges if edge["node"]["username"] == "mallory"]
    assert mine and mine[0]["ownedProjects"] is not None
    assert len(refused) == len(edges) - 1
    assert {error["extensions"]["code"] for error in answer["errors"]} == {"FORBIDDEN"}
    # The refused nodes' fields took the general path, once each.
    assert CountsExecutedFields.executed.count("ownedProjects") == len(edges) - 1
