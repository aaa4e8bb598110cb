"""Every connection follows Relay's connection specification both ways: `first`/`after`
forward, `last`/`before` backward, pageInfo's four fields right in both directions, and a
totalCount on each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from domain import audit
from models import Role
from tests.factories import Cast, Factory
from tests.graphql_client import GraphQLClient
from tests.sql_counter import counting_sql

PAGE = """
query($first: Int, $after: String, $last: Int, $before: String) {
  LIST(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}
"""


async def _five_users(make: Factory, cast: Cast) -> None:
    for index in range(5):
        await make.user(cast.tenant_a, username=f"pager{index}")


async def _five_projects(make: Factory, cast: Cast) -> None:
    for index in range(5):
        await make.project(cast.member_a.user, name=f"project{index}")


async def _five_invitations(make: Factory, cast: Cast) -> None:
    for _ in range(5):
        await make.invitation(cast.tenant_a, invited_by=cast.admin_a.user)


async def _five_events(make: Factory, cast: Cast) -> None:
    for index in range(5):
        await audit.record(None, f"test.event{index}", tenant_id=cast.tenant_a.id)


FILL: dict[str, Callable[[Factory, Cast], Awaitable[None]]] = {
    "users": _five_users,
    "projects": _five_projects,
    "invitations": _five_invitations,
    "auditLog": _five_events,
}


async def _page(gql: GraphQLClient, field: str, reader: Any, **variables: Any) -> dict[str, Any]:
    return (await gql(PAGE.replace("LIST", field), variables, as_=reader)).ok()[field]  # type: ignore[no-any-return]


def _ids(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in page["edges"]]


@pytest.mark.parametrize("field", sorted(FILL))
async def test_every_connection_pages_back_through_what_it_pages_forward(
    gql: GraphQLClient, make: Factory, cast: Cast, field: str
) -> None:
    await FILL[field](make, cast)
    forward, after, flags = [], None, []
    while True:
        page = await _page(gql, field, cast.admin_a, first=2, after=after)
        forward.append(_ids(page))
        flags.append((page["pageInfo"]["hasPreviousPage"], page["pageInfo"]["hasNextPage"]))
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    backward, before, back_flags = [], None, []
    while True:
        page = await _page(gql, field, cast.admin_a, last=2, before=before)
        assert page["totalCount"] == sum(len(ids) for ids in forward)
        info, edges = page["pageInfo"], page["edges"]
        assert (info["startCursor"], info["endCursor"]) == (edges[0]["cursor"], edges[-1]["cursor"])
        backward.insert(0, _ids(page))
        back_flags.insert(0, (info["hasPreviousPage"], info["hasNextPage"]))
        if not info["hasPreviousPage"]:
            break
        before = info["startCursor"]
    everything = [row for ids in forward for row in ids]
    assert len(everything) >= 5 and len(set(everything)) == len(everything)
    assert [row for ids in backward for row in ids] == everything
    # Every page but the first has rows before it, every page but the last rows after it.
    for flag_list in (flags, back_flags):
        assert [previous for previous, _ in flag_list] == [False] + [True] * (len(flag_list) - 1)
        assert [following for _, following in flag_list] == [True] * (len(flag_list) - 1) + [False]


@pytest.fixture
async def roster(make: Factory) -> Any:
    """An admin and eight colleagues, listed by username: ada, ben, ... ida."""
    tenant = await make.tenant("roster")
    reader = await make.person(tenant, username="ada", role=Role.ADMIN)
    for name in ["ben", "cy", "dora", "eve", "finn", "gus", "hal", "ida"]:
        await make.user(tenant, username=name)
    return reader


NAMES = """
query($first: Int, $after: String, $last: Int, $before: String) {
  users(first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { username } }
  }
}
"""


async def _names(gql: GraphQLClient, reader: Any, **variables: Any) -> tuple[list[str], Any]:
    users = (await gql(NAMES, variables, as_=reader)).ok()["users"]
    return [edge["node"]["username"] for edge in users["edges"]], users["pageInfo"]


async def _cursor_of(gql: GraphQLClient, reader: Any, name: str) -> str:
    users = (await gql(NAMES, {"first": 100}, as_=reader)).ok()["users"]
    return next(e["cursor"] for e in users["edges"] if e["node"]["username"] == name)


async def test_a_backward_page_holds_the_rows_just_before_its_cursor(gql, roster):
    before = await _cursor_of(gql, roster, "eve")
    names, info = await _names(gql, roster, last=2, before=before)
    assert names == ["cy", "dora"]
    assert (info["hasPreviousPage"], info["hasNextPage"]) == (True, True)


async def test_without_before_a_backward_page_is_the_end_of_the_list(gql, roster):
    names, info = await _names(gql, roster, last=3)
    assert names == ["gus", "hal", "ida"]
    assert (info["hasPreviousPage"], info["hasNextPage"]) == (True, False)


async def test_a_forward_page_after_the_first_row_has_a_previous_page(gql, roster):
    after = await _cursor_of(gql, roster, "ada")
    names, info = await _names(gql, roster, first=2, after=after)
    assert names == ["ben", "cy"]
    assert (info["hasPreviousPage"], info["hasNextPage"]) == (True, True)


async def test_first_with_before_takes_the_first_rows_before_the_cursor(gql, roster):
    # Relay's algorithm: `before` bounds the list, then `first` takes from its start.
    before = await _cursor_of(gql, roster, "eve")
    names, info = await _names(gql, roster, first=2, before=before)
    assert names == ["ada", "ben"]
    assert info["hasNextPage"] is True


async def test_last_with_after_takes_the_last_rows_after_the_cursor(gql, roster):
    after = await _cursor_of(gql, roster, "eve")
    names, info = await _names(gql, roster, last=2, after=after)
    assert names == ["hal", "ida"]
    assert info["hasPreviousPage"] is True


async def test_after_and_before_together_bound_the_page_on_both_sides(gql, roster):
    after = await _cursor_of(gql, roster, "ben")
    before = await _cursor_of(gql, roster, "finn")
    names, info = await _names(gql, roster, first=10, after=after, before=before)
    assert names == ["cy", "dora", "eve"]
    assert info["hasNextPage"] is False


async def test_an_empty_backward_page_has_no_cursors(gql, roster):
    names, info = await _names(gql, roster, last=0)
    assert names == []
    assert info == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": None,
        "endCursor": None,
    }


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ users(first: 2, last: 2) { totalCount } }", None),
        (
            "query($f: Int, $l: Int) { users(first: $f, last: $l) { totalCount } }",
            {"f": 50, "l": 2},
        ),
    ],
    ids=["literals", "variables"],
)
async def test_first_and_last_sent_together_are_refused(gql, roster, query, variables):
    result = await gql(query, variables, as_=roster)
    assert result.codes == ["BAD_USER_INPUT"]
    assert "`first`" in result.errors[0]["message"] and "`last`" in result.errors[0]["message"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ users(last: 2) { edges { node { username } } } }", None),
        ("{ users(first: null, last: 2) { edges { node { username } } } }", None),
        ("query($f: Int) { users(first: $f, last: 2) { edges { node { username } } } }", {}),
        (
            "query($f: Int) { users(first: $f, last: 2) { edges { node { username } } } }",
            {"f": None},
        ),
    ],
    ids=["first left out", "first null", "first an unsent variable", "first a null variable"],
)
async def test_last_pages_backward_when_first_is_left_to_its_default(gql, roster, query, variables):
    users = (await gql(query, variables, as_=roster)).ok()["users"]
    assert [edge["node"]["username"] for edge in users["edges"]] == ["hal", "ida"]


@pytest.mark.parametrize("last", [101, -1])
async def test_a_last_outside_zero_to_a_hundred_is_refused(gql, roster, last):
    result = await gql(NAMES, {"last": last}, as_=roster)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["message"] == "`last` must be between 0 and 100."


async def test_the_audit_log_counts_its_events(gql, cast: Cast):
    for index in range(3):
        await audit.record(None, f"test.event{index}", tenant_id=cast.tenant_a.id)
    await audit.record(None, "test.elsewhere", tenant_id=cast.tenant_b.id)
    query = "{ auditLog(first: 1) { totalCount edges { node { id } } } }"
    log = (await gql(query, as_=cast.admin_a)).ok()["auditLog"]
    assert (log["totalCount"], len(log["edges"])) == (3, 1)


async def test_a_backward_users_page_costs_the_statements_of_a_forward_one(
    gql: GraphQLClient, make: Factory
) -> None:
    tenant = await make.tenant("bigco")
    admin = await make.person(tenant, role=Role.ADMIN)
    for _ in range(30):
        await make.project(await make.user(tenant))
    page = """query($first: Int, $last: Int) { users(first: $first, last: $last) {
      edges { node { id username tenant { name } ownedProjects { id owner { username } } } } } }"""
    with counting_sql() as sql:
        forward = (await gql(page, {"first": 20}, as_=admin)).ok()["users"]["edges"]
        forward_statements = len(sql.statements)
        sql.statements.clear()
        backward = (await gql(page, {"last": 20}, as_=admin)).ok()["users"]["edges"]
        backward_statements = len(sql.statements)
    assert (len(forward), len(backward)) == (20, 20)
    assert backward_statements == forward_statements, sql.statements


@pytest.mark.parametrize("field", sorted(FILL))
async def test_page_info_cursors_are_the_same_whether_or_not_the_edges_cursors_are_read(
    gql, make: Factory, cast: Cast, field: str
):
    await FILL[field](make, cast)
    without_cursors = PAGE.replace("LIST", field).replace("edges { cursor node", "edges { node")
    for variables in ({"first": 3}, {"last": 3}):
        full = await _page(gql, field, cast.admin_a, **variables)
        bare = (await gql(without_cursors, variables, as_=cast.admin_a)).ok()[field]
        assert bare["pageInfo"] == full["pageInfo"]
        assert full["pageInfo"]["startCursor"] == full["edges"][0]["cursor"]
        assert full["pageInfo"]["endCursor"] == full["edges"][-1]["cursor"]
