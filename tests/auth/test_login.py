"""login: one answer for every kind of failure, a session token on success."""

from __future__ import annotations

import statistics
import time

import pytest

from models import AuthMethod, Role, Session, User
from tests.auth.queries import login, me
from tests.factories import DEFAULT_PASSWORD

INVALID = {"__typename": "InvalidCredentials", "message": "Invalid username or password."}


async def test_a_successful_login_returns_the_user_and_a_session_token(gql, cast):
    answer = await login(gql, "alice", DEFAULT_PASSWORD)
    assert answer["__typename"] == "LoginSuccess"
    assert answer["sessionToken"].startswith("tns_")
    user = answer["user"]
    assert (user["id"], user["username"], user["role"]) == (cast.admin_a.id, "alice", "ADMIN")
    assert user["tenant"] == {"name": "acme"}
    assert user["lastLoginAt"] is not None
    assert (await User.get(id=cast.admin_a.user.id)).last_login_at is not None


async def test_tenant_and_username_are_matched_regardless_of_case(gql, cast):
    answer = await login(gql, "ALICE", DEFAULT_PASSWORD, tenant=" Acme ")
    assert answer["__typename"] == "LoginSuccess"


async def test_only_a_hash_of_the_session_token_is_stored(gql, cast):
    token = (await login(gql, "alice", DEFAULT_PASSWORD))["sessionToken"]
    stored = await Session.filter(user_id=cast.admin_a.user.id).values_list("token_hash", flat=True)
    assert token not in stored
    assert all(token not in value for value in stored)


@pytest.mark.parametrize(
    ("tenant", "username", "password"),
    [
        ("acme", "alice", "wrong password"),
        ("acme", "nobody", "wrong password"),
        ("acme", "nobody", DEFAULT_PASSWORD),
        ("no-such-tenant", "alice", DEFAULT_PASSWORD),
        ("globex", "alice", DEFAULT_PASSWORD),  # alice is in acme, not globex
        ("acme", "alice", ""),
    ],
)
async def test_every_failed_login_gets_the_same_answer(gql, cast, tenant, username, password):
    assert await login(gql, username, password, tenant=tenant) == INVALID
    assert await Session.filter(user_id=cast.admin_a.user.id).count() == 1  # the cast's own


async def test_an_account_with_an_unverified_email_cannot_log_in(gql, make, cast):
    await make.user(cast.tenant_a, username="newbie", email_verified=False)
    assert await login(gql, "newbie", DEFAULT_PASSWORD) == INVALID


async def test_a_saml_account_cannot_log_in_with_a_password(gql, make, cast):
    await make.user(cast.tenant_a, username="sso", auth_method=AuthMethod.SAML)
    assert await login(gql, "sso", DEFAULT_PASSWORD) == INVALID


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("", DEFAULT_PASSWORD, "username"),
        ("   ", DEFAULT_PASSWORD, "username"),
        ("alice", "x" * 5000, "password"),
    ],
)
async def test_a_login_missing_a_name_or_with_an_absurd_password_is_a_validation_error(
    gql, cast, username, password, field
):
    answer = await login(gql, username, password)
    assert answer["__typename"] == "ValidationError"
    assert answer["field"] == field


async def test_a_login_with_a_blank_tenant_is_a_validation_error(gql, cast):
    answer = await login(gql, "alice", DEFAULT_PASSWORD, tenant=" ")
    assert answer["__typename"] == "ValidationError"


async def _median_seconds(gql, username: str, runs: int) -> float:
    # CPU seconds of this process (argon2's worker threads included), not wall time: other
    # processes loading the machine then cannot make one path look slower than the other.
    timings = []
    for _ in range(runs):
        started = time.process_time()
        assert await login(gql, username, "not the password") == INVALID
        timings.append(time.process_time() - started)
    return statistics.median(timings)


async def test_an_unknown_user_and_a_wrong_password_take_like_time(gql, make, cast):
    # Both paths run one argon2 verification; without the dummy one, the unknown user would
    # answer many times faster. Medians over a few runs, a generous bound: this catches a
    # missing verification (a ratio of 10x or more), not jitter.
    await make.user(cast.tenant_a, username="victim", role=Role.MEMBER)
    await _median_seconds(gql, "warmup", 1)
    unknown = await _median_seconds(gql, "nobody-at-all", 4)
    wrong = await _median_seconds(gql, "victim", 4)
    assert 1 / 3 < unknown / wrong < 3, (unknown, wrong)


async def test_the_dummy_verification_costs_a_real_argon2_verification(app):
    # The unknown-user path must not be cheap: it verifies against a hash made with the
    # configured parameters, so it costs what a real verification costs.
    from domain.auth.passwords import hashing

    h = hashing()
    assert not h.needs_rehash(h.dummy_hash)
    started = time.process_time()
    assert await h.verify(None, "anything at all") is False
    dummy = time.process_time() - started
    real_hash = await h.hash("a real password")
    started = time.process_time()
    assert await h.verify(real_hash, "not it") is False
    real = time.process_time() - started
    assert 1 / 3 < dummy / real < 3, (dummy, real)


async def test_me_reflects_the_session_returned_by_login(gql, cast):
    token = (await login(gql, "gus", DEFAULT_PASSWORD))["sessionToken"]
    gql.http.cookies.clear()  # the token alone, as a non-browser client would send it
    assert await me(gql, token) == {"username": "gus", "role": "GUEST", "superuser": False}
