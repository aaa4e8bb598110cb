"""User.ownedProjects and User.ownedTokens: who sees them, and what a page of them costs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from models import Role
from tests.factories import Cast, Factory
from tests.sql_counter import StatementCounter, counting_sql

OWNED = """
query($id: ID!) {
  user(id: $id) { username ownedProjects { name } ownedTokens { name prefix } }
}
"""


async def stock(make: Factory, cast: Cast) -> None:
    for person in (cast.member_a, cast.guest_a, cast.member_b):
        await make.project(person.user, f"{person.user.username}-project")
        await make.api_token(person.user, f"{person.user.username}-token")


@pytest.mark.parametrize("role", ["member", "guest", "admin", "superuser"])
async def test_everyone_sees_their_own_objects(gql, cast: Cast, make: Factory, role):
    caller = cast.by_role(role)
    await make.project(caller.user, "mine")
    await make.api_token(caller.user, "my-token")
    result = await gql("{ me { ownedProjects { name } ownedTokens { name } } }", as_=caller)
    assert result.ok()["me"] == {
        "ownedProjects": [{"name": "mine"}],
        "ownedTokens": [{"name": "my-token"}],
    }


async def test_an_admin_sees_the_objects_of_their_tenants_users(gql, cast: Cast, make: Factory):
    await stock(make, cast)
    result = await gql(OWNED, {"id": cast.member_a.id}, as_=cast.admin_a)
    user = result.ok()["user"]
    assert user["ownedProjects"] == [{"name": "mallory-project"}]
    assert [t["name"] for t in user["ownedTokens"]] == ["mallory-token"]


async def test_a_superuser_sees_the_objects_of_any_tenants_users(gql, cast: Cast, make: Factory):
    await stock(make, cast)
    result = await gql(OWNED, {"id": cast.member_b.id}, as_=cast.superuser)
    assert result.ok()["user"]["ownedProjects"] == [{"name": "bert-project"}]


async def test_a_member_does_not_see_a_colleagues_objects(gql, cast: Cast, make: Factory):
    await stock(make, cast)
    result = await gql(OWNED, {"id": cast.guest_a.id}, as_=cast.member_a)
    assert result.data["user"] == {"username": "gus", "ownedProjects": None, "ownedTokens": None}
    assert result.codes == ["FORBIDDEN", "FORBIDDEN"]


async def test_another_tenants_admin_does_not_see_the_user_at_all(gql, cast: Cast, make: Factory):
    await stock(make, cast)
    result = await gql(OWNED, {"id": cast.member_a.id}, as_=cast.admin_b)
    assert result.ok()["user"] is None


async def test_a_member_listing_users_sees_only_their_own_objects(gql, cast: Cast, make: Factory):
    await stock(make, cast)
    query = "{ users { edges { node { username ownedProjects { name } } } } }"
    result = await gql(query, as_=cast.member_a)
    edges = result.data["users"]["edges"]
    seen = {e["node"]["username"]: e["node"]["ownedProjects"] for e in edges}
    assert seen["mallory"] == [{"name": "mallory-project"}]
    assert seen["gus"] is None and seen["alice"] is None
    assert set(result.codes) == {"FORBIDDEN"}


# ------------------------------------------------------------------ statement count


@pytest.fixture
def sql_statements() -> Iterator[StatementCounter]:
    with counting_sql() as counter:
        yield counter


PAGE = """
query($first: Int) {
  users(first: $first) {
    edges { node { username ownedProjects { id } ownedTokens { id } tenant { name } } }
  }
}
"""


async def test_a_page_of_users_with_their_objects_costs_the_same_for_10_and_100_users(
    gql, cast: Cast, make: Factory, sql_statements: StatementCounter
):
    for i in range(100):
        user = await make.user(cast.tenant_a, username=f"bulk{i:03}", role=Role.MEMBER)
        await make.project(user, f"bulk-project-{i:03}")
        await make.api_token(user, f"bulk-token-{i:03}")

    counts = {}
    for first in (10, 100):
        sql_statements.statements.clear()
        result = await gql(PAGE, {"first": first}, as_=cast.admin_a)
        edges = result.ok()["users"]["edges"]
        assert len(edges) == first
        bulk = [e["node"] for e in edges if e["node"]["username"].startswith("bulk")]
        assert bulk and all(len(n["ownedProjects"]) == 1 for n in bulk)
        assert all(len(n["ownedTokens"]) == 1 for n in bulk)
        assert {n["tenant"]["name"] for n in bulk} == {"acme"}
        counts[first] = len(sql_statements.statements)

    assert counts[10] > 0, "the counter saw no SQL: it measures nothing"
    assert counts[10] == counts[100], sql_statements.statements
    # Caller, page, count, tenants, projects, tokens, and a few for the session: not dozens.
    assert counts[100] <= 10, sql_statements.statements
