"""A failed login answers no sooner than the configured delay, whoever was named."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from config import Config, configure, get_config
from tests.factories import DEFAULT_PASSWORD

LOGIN = """
mutation($input: LoginInput!) { login(input: $input) { __typename } }
"""


@pytest.fixture
def failure_delay(app) -> Iterator[float]:
    before = get_config()
    configure(Config(**{**before.model_dump(), "login_failure_seconds": 0.4}))
    yield 0.4
    configure(before)


async def timed_login(gql, username: str, password: str) -> tuple[str, float]:
    started = time.monotonic()
    result = await gql(
        LOGIN, {"input": {"tenant": "acme", "username": username, "password": password}}
    )
    return result.payload("login")["__typename"], time.monotonic() - started


async def test_a_wrong_password_answers_after_the_failure_delay(gql, cast, failure_delay):
    answer, seconds = await timed_login(gql, "alice", "not her password")
    assert answer == "InvalidCredentials"
    assert seconds >= failure_delay


async def test_an_unknown_user_answers_after_the_failure_delay_too(gql, cast, failure_delay):
    answer, seconds = await timed_login(gql, "nobody", "not her password")
    assert answer == "InvalidCredentials"
    assert seconds >= failure_delay


async def test_a_successful_login_does_not_wait(gql, cast, failure_delay):
    answer, seconds = await timed_login(gql, "alice", DEFAULT_PASSWORD)
    assert answer == "LoginSuccess"
    assert seconds < failure_delay
