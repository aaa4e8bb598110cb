"""The users page with its relations is built by one plan (issue 17, part 1): `tenant`,
`ownedProjects` (its permission checked by the pure policy function) and `owner` read what
the page preloaded, so below `users` no field takes graphql-core's per-field path; a caller
who may not see some users' projects gets those nodes from the general path, with its error.
`ownedTokens`, `groups` and `mfaEnabled` are preloaded likewise, and `me` and `user(id:)`
preload their one user's (`me` has its tenant from the session); so are an invitation's sender
and an audit event's tenant and actor, each user as the reader is shown them. A session's
`current` is read by the plan from the request. A Node fetched by its ID is completed by the
plan of the type it is.
tests/web/test_differential.py proves the answers byte-equal on generated documents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient

from config import Config
from models import AuditEvent
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


async def run(client: AsyncClient, caller: Any, query: str = NESTED) -> dict[str, Any]:
    CountsExecutedFields.executed.clear()
    headers = {"Authorization": f"Bearer {caller.token}"}
    response = await client.post("/graphql", json={"query": query}, headers=headers)
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


TOKENS_GROUPS_FACTORS = """
query {
  users(first: 100) {
    edges { node { username groups mfaEnabled ownedTokens { name owner { username } } } }
  }
}
"""

ME = """
query {
  me {
    username tenant { name } groups mfaEnabled
    ownedProjects { name owner { username } } ownedTokens { name owner { username } }
  }
}
"""


async def test_a_page_of_users_tokens_groups_and_second_factors_is_one_plan(
    counting: AsyncClient, cast: Cast, make: Factory
) -> None:
    await make.api_token(cast.member_a.user, "deploy")

    answer = await run(counting, cast.admin_a, TOKENS_GROUPS_FACTORS)

    assert "errors" not in answer
    nodes = {edge["node"]["username"]: edge["node"] for edge in answer["data"]["users"]["edges"]}
    assert nodes["mallory"]["ownedTokens"] == [{"name": "deploy", "owner": {"username": "mallory"}}]
    assert nodes["mallory"]["groups"] == [] and nodes["mallory"]["mfaEnabled"] is False
    assert CountsExecutedFields.executed == []


async def test_me_with_its_tenant_and_what_it_owns_is_one_plan(
    counting: AsyncClient, cast: Cast, make: Factory
) -> None:
    await make.project(cast.member_a.user, "site")
    await make.api_token(cast.member_a.user, "deploy")

    answer = await run(counting, cast.member_a, ME)

    assert "errors" not in answer
    me = answer["data"]["me"]
    assert me["tenant"] == {"name": cast.tenant_a.name}
    assert me["ownedProjects"] == [{"name": "site", "owner": {"username": "mallory"}}]
    assert me["ownedTokens"] == [{"name": "deploy", "owner": {"username": "mallory"}}]
    assert CountsExecutedFields.executed == []


async def test_a_user_by_id_with_groups_and_second_factor_is_one_plan(
    counting: AsyncClient, cast: Cast
) -> None:
    query = f'{{ user(id: "{cast.member_a.id}") {{ username groups mfaEnabled }} }}'

    answer = await run(counting, cast.admin_a, query)

    assert answer["data"]["user"] == {"username": "mallory", "groups": [], "mfaEnabled": False}
    assert CountsExecutedFields.executed == []


INVITATIONS = (
    "{ invitations(first: 50) { edges { node { username link invitedBy { username } } } } }"
)
AUDIT_LOG = (
    "{ auditLog(first: 50) { edges { node { action tenant { name } actor { username } } } } }"
)


async def test_a_page_of_invitations_with_senders_and_links_is_one_plan(
    counting: AsyncClient, cast: Cast, make: Factory
) -> None:
    await make.invitation(cast.tenant_a, invited_by=cast.member_a.user, username="nina")
    await make.invitation(cast.tenant_a, username="otto")

    answer = await run(counting, cast.admin_a, INVITATIONS)

    nodes = {
        edge["node"]["username"]: edge["node"] for edge in answer["data"]["invitations"]["edges"]
    }
    assert nodes["nina"]["invitedBy"] == {"username": "mallory"}
    assert nodes["otto"]["invitedBy"] is None
    assert all(node["link"].startswith("http://tenantry.test/") for node in nodes.values())
    assert CountsExecutedFields.executed == []


async def test_a_sender_the_reader_may_not_see_is_null_in_the_plan_too(
    counting: AsyncClient, cast: Cast, make: Factory
) -> None:
    await make.invitation(cast.tenant_b, invited_by=cast.superuser.user, username="quinn")

    answer = await run(counting, cast.admin_b, INVITATIONS)

    [edge] = answer["data"]["invitations"]["edges"]
    assert edge["node"]["invitedBy"] is None
    assert CountsExecutedFields.executed == []


async def test_a_page_of_the_audit_log_with_tenants_and_actors_is_one_plan(
    counting: AsyncClient, cast: Cast
) -> None:
    for actor in (cast.member_a.user, cast.superuser.user, None):
        await AuditEvent.create(
            tenant=cast.tenant_a, actor=actor, actor_name=actor.username if actor else "gone",
            action="project.create", target_type="project", target_id="x",
        )  # fmt: skip

    answer = await run(counting, cast.admin_a, AUDIT_LOG)

    nodes = [edge["node"] for edge in answer["data"]["auditLog"]["edges"]]
    assert {node["tenant"]["name"] for node in nodes} == {cast.tenant_a.name}
    assert sorted(str(node["actor"]) for node in nodes) == [
        "None",
        "{'username': 'mallory'}",
        "{'username': 'root'}",
    ]
    assert CountsExecutedFields.executed == []


async def test_the_callers_sessions_are_one_plan_which_marks_the_current_one(
    counting: AsyncClient, cast: Cast
) -> None:
    answer = await run(counting, cast.member_a, "{ mySessions { current userAgent } }")

    assert [session["current"] for session in answer["data"]["mySessions"]] == [True]
    assert CountsExecutedFields.executed == []


NODE = """
query Refetch($id: ID!) {
  node(id: $id) {
    __typename id
    ... on User { username tenant { name } }
    ... on Project { name }
  }
}
"""


async def test_a_node_fetched_by_its_id_is_one_plan_whatever_its_type(
    counting: AsyncClient, cast: Cast, make: Factory
) -> None:
    project = await make.project(cast.member_a.user, "site")
    headers = {"Authorization": f"Bearer {cast.admin_a.token}"}
    answers = []
    for node_id in (cast.member_a.id, str(project.id)):
        CountsExecutedFields.executed.clear()
        body = {"query": NODE, "variables": {"id": node_id}}
        answers.append((await counting.post("/graphql", json=body, headers=headers)).json())
        assert CountsExecutedFields.executed == []

    assert answers[0]["data"]["node"]["tenant"] == {"name": cast.tenant_a.name}
    assert answers[1]["data"]["node"] == {
        "__typename": "Project",
        "id": str(project.id),
        "name": "site",
    }
