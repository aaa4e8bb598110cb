"""login is rate limited per account and per client address; aliases in one document each count."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from httpx import ASGITransport, AsyncClient

from domain.ratelimit import LIMITS, Action
from tests.auth.queries import login
from tests.factories import DEFAULT_PASSWORD
from tests.graphql_client import GraphQLClient

PER_ACCOUNT = LIMITS[Action.LOGIN].per_account.amount
PER_CLIENT = LIMITS[Action.LOGIN].per_client.amount


@pytest.fixture
async def other_client(app) -> AsyncIterator[GraphQLClient]:
    """A second caller, from another address."""
    transport = ASGITransport(app=app, client=("198.51.100.23", 40000))
    async with AsyncClient(transport=transport, base_url="http://tenantry.test") as http:
        yield GraphQLClient(http)


def assert_rate_limited(answer: dict) -> None:
    assert answer["__typename"] == "RateLimited", answer
    assert 1 <= answer["retryAfterSeconds"] <= 60


def test_the_limits_are_what_these_tests_assume():
    assert LIMITS[Action.LOGIN].per_account.get_expiry() == 60
    assert LIMITS[Action.LOGIN].per_client.get_expiry() == 60
    assert PER_ACCOUNT < PER_CLIENT


async def test_an_account_is_locked_for_a_while_after_too_many_attempts(gql, cast):
    for _ in range(PER_ACCOUNT):
        assert (await login(gql, "alice", "guess"))["__typename"] == "InvalidCredentials"
    assert_rate_limited(await login(gql, "alice", DEFAULT_PASSWORD))


async def test_the_account_limit_holds_from_another_address(gql, other_client, cast):
    for _ in range(PER_ACCOUNT):
        await login(gql, "alice", "guess")
    assert_rate_limited(await login(other_client, "alice", DEFAULT_PASSWORD))


async def test_the_account_limit_holds_whatever_the_case_of_the_names(gql, cast):
    for i in range(PER_ACCOUNT):
        await login(gql, "alice" if i % 2 else "ALICE", "guess", tenant="ACME" if i % 3 else "acme")
    assert_rate_limited(await login(gql, "Alice", DEFAULT_PASSWORD, tenant="Acme"))


async def test_an_unknown_account_is_limited_like_a_real_one(gql, cast):
    for _ in range(PER_ACCOUNT):
        await login(gql, "nobody", "guess")
    assert_rate_limited(await login(gql, "nobody", "guess"))


async def test_other_accounts_are_not_locked_by_one_accounts_limit(gql, cast):
    for _ in range(PER_ACCOUNT + 1):
        await login(gql, "alice", "guess")
    assert (await login(gql, "gus", DEFAULT_PASSWORD))["__typename"] == "LoginSuccess"


async def test_a_client_is_limited_across_accounts(gql, other_client, cast):
    for i in range(PER_CLIENT):
        assert (await login(gql, f"probe{i}", "guess"))["__typename"] == "InvalidCredentials"
    assert_rate_limited(await login(gql, "gus", DEFAULT_PASSWORD))
    # Another address is not affected.
    assert (await login(other_client, "gus", DEFAULT_PASSWORD))["__typename"] == "LoginSuccess"


def aliased_logins(count: int) -> str:
    fields = "\n".join(
        f'  a{i}: login(input: {{tenant: "acme", username: "alice", password: "guess{i}"}}) '
        "{ __typename ... on RateLimited { retryAfterSeconds } }"
        for i in range(count)
    )
    return f"mutation {{\n{fields}\n}}"


async def test_aliases_in_one_document_each_count_as_an_attempt(gql, cast):
    result = await gql(aliased_logins(PER_ACCOUNT + 2))
    answers = [result.ok()[f"a{i}"] for i in range(PER_ACCOUNT + 2)]
    assert [a["__typename"] for a in answers] == ["InvalidCredentials"] * PER_ACCOUNT + [
        "RateLimited"
    ] * 2
    assert_rate_limited(await login(gql, "alice", DEFAULT_PASSWORD))


async def test_two_aliases_count_twice(gql, cast):
    for _ in range(PER_ACCOUNT - 2):
        await login(gql, "alice", "guess")
    result = await gql(aliased_logins(2))
    assert [result.ok()[f"a{i}"]["__typename"] for i in range(2)] == ["InvalidCredentials"] * 2
    assert_rate_limited(await login(gql, "alice", DEFAULT_PASSWORD))


async def test_a_batch_of_documents_cannot_multiply_attempts(gql, cast):
    # Batches are refused outright, so they run no login at all.
    body = [{"query": aliased_logins(1)} for _ in range(PER_ACCOUNT + 1)]
    response = await gql.http.post("/graphql", json=body)
    assert response.status_code == 400
    assert (await login(gql, "alice", DEFAULT_PASSWORD))["__typename"] == "LoginSuccess"
