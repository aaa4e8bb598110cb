"""The users page costs the same number of SQL statements at 10 users as at 100, and a
superuser's page of every tenant's users as one tenant's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.factories import Factory
from tests.graphql_client import GraphQLClient
from tests.sql_counter import StatementCounter, counting_sql

PAGE = """
query($first: Int) {
  users(first: $first) {
    edges { node { id username tenant { name } ownedProjects { id owner { username } } } }
  }
}
"""


@pytest.fixture
def sql() -> Iterator[StatementCounter]:
    with counting_sql() as counter:
        yield counter


async def statements_for_page(
    gql: GraphQLClient, sql: StatementCounter, admin: object, first: int
) -> tuple[int, int]:
    sql.statements.clear()
    result = await gql(PAGE, {"first": first}, as_=admin)
    edges = result.ok()["users"]["edges"]
    return len(edges), len(sql.statements)


async def test_the_users_page_costs_the_same_statements_at_10_and_100_users(
    gql: GraphQLClient, make: Factory, sql: StatementCounter
) -> None:
    tenant = await make.tenant("bigco")
    admin = await make.person(tenant, role="admin")
    for _ in range(99):
        user = await make.user(tenant)
        await make.project(user)
        await make.project(user)

    ten_rows, at_ten = await statements_for_page(gql, sql, admin, 10)
    hundred_rows, at_hundred = await statements_for_page(gql, sql, admin, 100)

    assert (ten_rows, hundred_rows) == (10, 100)
    assert at_ten == at_hundred, sql.statements


FRAGMENTS = """
query($first: Int) {
  users(first: $first) { edges { ...Edge } }
}
fragment Edge on UserEdge { node { ... on User { id username ...Owned } tenant { name } } }
fragment Owned on User { ownedProjects { id name owner { username } } }
"""
PLAIN = """
query($first: Int) {
  users(first: $first) {
    edges { node { id username ownedProjects { id name owner { username } } tenant { name } } }
  }
}
"""


async def test_a_page_selected_through_fragments_answers_like_plain_fields(
    gql: GraphQLClient, make: Factory, sql: StatementCounter
) -> None:
    tenant = await make.tenant("fragco")
    admin = await make.person(tenant, role="admin")
    for _ in range(5):
        await make.project(await make.user(tenant))

    sql.statements.clear()
    through_fragments = (await gql(FRAGMENTS, {"first": 10}, as_=admin)).ok()
    fragment_statements = len(sql.statements)
    sql.statements.clear()
    plain = (await gql(PLAIN, {"first": 10}, as_=admin)).ok()

    assert through_fragments == plain
    assert fragment_statements == len(sql.statements)
    assert {len(e["node"]["ownedProjects"]) for e in plain["users"]["edges"]} == {0, 1}


async def test_a_member_still_sees_only_their_own_projects_on_the_page(
    gql: GraphQLClient, cast
) -> None:
    result = await gql(PLAIN, {"first": 10}, as_=cast.member_a)
    edges = result.data["users"]["edges"]
    visible = {e["node"]["username"] for e in edges if e["node"]["ownedProjects"] is not None}
    assert visible == {"mallory"}
    assert set(result.codes) == {"FORBIDDEN"}


async def test_a_superusers_page_of_three_tenants_costs_the_statements_of_one_tenants(
    gql: GraphQLClient, make: Factory, sql: StatementCounter
) -> None:
    home = await make.tenant("home")
    root = await make.person(home, role="admin", superuser=True)
    for _ in range(29):
        await make.project(await make.user(home))
    _, one_tenant = await statements_for_page(gql, sql, root, 30)
    for name in ("second", "third"):
        tenant = await make.tenant(name)
        for _ in range(15):
            await make.project(await make.user(tenant))

    rows, three_tenants = await statements_for_page(gql, sql, root, 60)

    assert rows == 60
    assert one_tenant == three_tenants, sql.statements
