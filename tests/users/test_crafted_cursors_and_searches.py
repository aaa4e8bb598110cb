"""Cursors are opaque but come back from clients: a crafted one, or a search no stored name
can match, is refused as bad input or matches nothing; it never crashes the list."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from httpx import AsyncClient

from domain import audit
from tests.factories import Cast, Factory

LISTS = {
    name: f"query($after: String, $before: String) {{ {name}(after: $after, before: $before) "
    "{ pageInfo { endCursor } edges { node { id } } } }"
    for name in ("users", "projects", "auditLog", "invitations")
}
SEARCH = "query($s: String) { users(search: $s) { totalCount } }"
SOME_ID = "5a3c6a4e-4c1f-4f53-9a59-2e61c2f0f3a1"


async def post(http: AsyncClient, query: str, variables: dict[str, Any], token: str) -> dict:
    """JSON encoded here (ASCII escapes), as a client may send a lone surrogate: \\ud800."""
    body = json.dumps({"query": query, "variables": variables})
    response = await http.post(
        "/graphql",
        content=body,
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    return response.json()


def cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


CRAFTED = {
    "not a UUID": cursor(["alice", "not-a-uuid"]),
    "a number for a name": cursor([5, SOME_ID]),
    "a list for a name": cursor([["a"], SOME_ID]),
    "a NUL byte": cursor(["al\x00ice", SOME_ID]),
    "a lone surrogate": cursor(["\ud800", SOME_ID]),
    "longer than any name": cursor(["x" * 1000, SOME_ID]),
    "no ID": cursor(["alice", None]),
    "an object": cursor({"a": 1, "b": 2}),
    "deeply nested": base64.urlsafe_b64encode(b"[" * 100_000).decode(),
}


@pytest.mark.parametrize("argument", ["after", "before"])
@pytest.mark.parametrize("field", sorted(LISTS))
@pytest.mark.parametrize("crafted", sorted(CRAFTED))
async def test_a_crafted_cursor_is_refused_as_bad_input(http, cast: Cast, field, crafted, argument):
    answer = await post(http, LISTS[field], {argument: CRAFTED[crafted]}, cast.admin_a.token)
    assert [e.get("extensions", {}).get("code") for e in answer["errors"]] == ["BAD_USER_INPUT"]
    assert answer["errors"][0]["message"] == "The cursor is not valid."


@pytest.mark.parametrize("field", ["auditLog", "invitations"])
@pytest.mark.parametrize(
    "when", ["yesterday", "2026-01-01T00:00:00"], ids=["no time", "no time zone"]
)
async def test_a_cursor_by_time_without_a_full_time_is_refused(http, cast: Cast, when, field):
    after = cursor([when, SOME_ID])
    answer = await post(http, LISTS[field], {"after": after}, cast.admin_a.token)
    assert [e.get("extensions", {}).get("code") for e in answer["errors"]] == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("field", sorted(LISTS))
async def test_a_cursor_the_list_gave_out_still_works(http, cast: Cast, make: Factory, field):
    for index in range(3):
        await make.project(cast.admin_a.user, name=f"p{index}")
        await audit.record(None, f"test.event{index}", tenant_id=cast.tenant_a.id)
        await make.invitation(cast.tenant_a, invited_by=cast.admin_a.user)
    first = await post(
        http, LISTS[field].replace("(after:", "(first: 1, after:"), {}, cast.admin_a.token
    )
    given = first["data"][field]["pageInfo"]["endCursor"]
    assert given is not None
    for argument in ("after", "before"):
        answer = await post(http, LISTS[field], {argument: given}, cast.admin_a.token)
        assert "errors" not in answer, answer


@pytest.mark.parametrize(
    "term", ["al\x00ice", "\ud800", "x" * 100_000], ids=["nul", "surrogate", "100k"]
)
async def test_a_search_no_stored_name_can_match_finds_nobody(http, cast: Cast, term):
    answer = await post(http, SEARCH, {"s": term}, cast.admin_a.token)
    assert answer == {"data": {"users": {"totalCount": 0}}}
