"""Input no real account can hold (lone surrogates, NUL bytes, names longer than any stored
one) is answered like any wrong input, never with "Unexpected error."."""

from __future__ import annotations

import json
from typing import Any

import pytest
from httpx import AsyncClient

from tests.auth.queries import CHANGE_PASSWORD, LOGIN
from tests.factories import DEFAULT_PASSWORD

INVALID = {"__typename": "InvalidCredentials", "message": "Invalid username or password."}


async def post(http: AsyncClient, query: str, variables: dict[str, Any], token: str = "") -> dict:
    """JSON encoded here (ASCII escapes), as a client may send a lone surrogate: \\ud800."""
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables})
    response = await http.post("/graphql", content=body, headers=headers)
    answer = response.json()
    assert not answer.get("errors"), answer["errors"]
    return answer["data"]


async def login(http: AsyncClient, tenant: str, username: str, password: str) -> dict:
    data = await post(
        http, LOGIN, {"input": {"tenant": tenant, "username": username, "password": password}}
    )
    return data["login"]


@pytest.mark.parametrize(
    "username",
    ["\ud800", "ali\x00ce", "a" * 65, "x" * 100_000],
    ids=["surrogate", "nul", "65", "100k"],
)
async def test_a_username_no_account_can_have_is_just_invalid_credentials(http, cast, username):
    assert await login(http, "acme", username, DEFAULT_PASSWORD) == INVALID


@pytest.mark.parametrize("tenant", ["\udfff", "ac\x00me", "t" * 65], ids=["surrogate", "nul", "65"])
async def test_a_tenant_name_no_tenant_can_have_is_just_invalid_credentials(http, cast, tenant):
    assert await login(http, tenant, "alice", DEFAULT_PASSWORD) == INVALID


async def test_a_password_with_a_lone_surrogate_is_just_invalid_credentials(http, cast):
    assert await login(http, "acme", "alice", "\ud800" + DEFAULT_PASSWORD) == INVALID


async def test_a_current_password_with_a_lone_surrogate_is_wrong(http, cast):
    data = await post(
        http,
        CHANGE_PASSWORD,
        {"input": {"currentPassword": "\ud800", "newPassword": "a much better passphrase"}},
        token=cast.member_a.token,
    )
    assert data["changePassword"]["__typename"] == "InvalidCredentials"


async def test_a_new_password_with_a_lone_surrogate_is_a_validation_error(http, cast):
    data = await post(
        http,
        CHANGE_PASSWORD,
        {"input": {"currentPassword": DEFAULT_PASSWORD, "newPassword": "good \ud800 passphrase"}},
        token=cast.member_a.token,
    )
    answer = data["changePassword"]
    assert answer["__typename"] == "ValidationError"
    assert answer["field"] == "newPassword"


async def test_an_overlong_current_password_is_just_wrong(gql, cast):
    result = await gql(
        """mutation($i: ChangePasswordInput!) { changePassword(input: $i) { __typename } }""",
        {"i": {"currentPassword": "x" * 5000, "newPassword": "a brand new passphrase"}},
        as_=cast.member_a,
    )
    assert result.payload("changePassword")["__typename"] == "InvalidCredentials"
