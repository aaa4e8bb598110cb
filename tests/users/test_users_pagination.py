"""The users list is a Relay connection: cursors, hasNextPage, totalCount,
search and role filters."""

from __future__ import annotations

import pytest

from models import Role
from tests.users.queries import USERS


@pytest.fixture
async def roster(make):
    """A tenant of ten: an admin who reads the list, and nine others with varied names and roles."""
    tenant = await make.tenant("roster")
    reader = await make.person(tenant, username="aaron", role=Role.ADMIN)
    for name, role in [
        ("anna", Role.MEMBER), ("bob", Role.MEMBER), ("carla", Role.GUEST), ("dave", Role.MEMBER),
        ("erin", Role.GUEST), ("frank", Role.ADMIN), ("gina", Role.MEMBER), ("hannah", Role.MEMBER),
        ("ivan", Role.GUEST),
    ]:  # fmt: skip
        await make.user(tenant, username=name, role=role)
    # Someone elsewhere, who must never appear.
    await make.user(await make.tenant("elsewhere"), username="annabel")
    return reader


def names(users):
    return [edge["node"]["username"] for edge in users["edges"]]


async def test_pages_follow_each_other_without_gaps_or_repeats(gql, roster):
    seen, after, pages = [], None, 0
    while True:
        users = (await gql(USERS, {"first": 3, "after": after}, as_=roster)).ok()["users"]
        assert users["totalCount"] == 10
        seen += names(users)
        pages += 1
        assert users["pageInfo"]["endCursor"] == users["edges"][-1]["cursor"]
        if not users["pageInfo"]["hasNextPage"]:
            break
        after = users["pageInfo"]["endCursor"]
    assert pages == 4
    assert seen == [
        "aaron",
        "anna",
        "bob",
        "carla",
        "dave",
        "erin",
        "frank",
        "gina",
        "hannah",
        "ivan",
    ]


async def test_the_last_full_page_says_there_is_no_next_page(gql, roster):
    users = (await gql(USERS, {"first": 10}, as_=roster)).ok()["users"]
    assert len(users["edges"]) == 10
    assert users["pageInfo"]["hasNextPage"] is False


async def test_an_empty_page_has_no_end_cursor(gql, roster):
    users = (await gql(USERS, {"first": 0}, as_=roster)).ok()["users"]
    assert users["edges"] == []
    assert users["pageInfo"] == {"hasNextPage": True, "endCursor": None}
    assert users["totalCount"] == 10


async def test_search_matches_usernames_and_emails_ignoring_case(gql, roster, make):
    users = (await gql(USERS, {"search": "ANN"}, as_=roster)).ok()["users"]
    assert names(users) == ["anna", "hannah"]
    assert users["totalCount"] == 2
    by_email = (await gql(USERS, {"search": "roster.example"}, as_=roster)).ok()["users"]
    assert by_email["totalCount"] == 10


async def test_the_role_filter_keeps_one_role(gql, roster):
    users = (await gql(USERS, {"role": "GUEST"}, as_=roster)).ok()["users"]
    assert names(users) == ["carla", "erin", "ivan"]
    assert {edge["node"]["role"] for edge in users["edges"]} == {"GUEST"}
    assert users["totalCount"] == 3


async def test_search_role_and_pages_combine(gql, roster):
    query = {"role": "MEMBER", "search": "n"}  # members with an n: anna, gina, hannah
    first = (await gql(USERS, {"first": 1, **query}, as_=roster)).ok()["users"]
    assert names(first) == ["anna"] and first["totalCount"] == 3
    after = first["pageInfo"]["endCursor"]
    rest = (await gql(USERS, {"first": 5, "after": after, **query}, as_=roster)).ok()["users"]
    assert names(rest) == ["gina", "hannah"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_a_hundred_is_the_largest_page(gql, roster):
    assert (await gql(USERS, {"first": 100}, as_=roster)).ok()["users"]["totalCount"] == 10


@pytest.mark.parametrize("first", [101, -1])
async def test_a_page_size_outside_zero_to_a_hundred_is_refused(gql, roster, first):
    result = await gql(USERS, {"first": first}, as_=roster)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.data is None or result.data.get("users") is None


async def test_a_forged_cursor_is_refused(gql, roster):
    result = await gql(USERS, {"after": "not-a-cursor"}, as_=roster)
    assert result.codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("term", ["%", "_", "a%a", "\\"])
async def test_search_takes_like_wildcards_literally(gql, roster, term):
    assert (await gql(USERS, {"search": term}, as_=roster)).ok()["users"]["totalCount"] == 0


async def test_a_blank_search_lists_everyone(gql, roster):
    assert (await gql(USERS, {"search": "   "}, as_=roster)).ok()["users"]["totalCount"] == 10


async def test_without_first_a_page_holds_the_default_fifty(gql, make):
    tenant = await make.tenant("crowd")
    reader = await make.person(tenant, username="reader", role=Role.ADMIN)
    for i in range(55):
        await make.user(tenant, username=f"crowd{i:02}")
    for variables in [{}, {"first": None}]:
        users = (await gql(USERS, variables, as_=reader)).ok()["users"]
        assert len(users["edges"]) == 50
        assert users["pageInfo"]["hasNextPage"] is True
        assert users["totalCount"] == 56
