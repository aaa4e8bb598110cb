"""completeLogin: single use, short-lived, bound to its user, and limited against guessing."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from models import MfaChallenge
from tests.factories import DEFAULT_PASSWORD, Cast, Factory
from tests.graphql_client import GraphQLClient
from tests.mfa.helpers import COMPLETE_LOGIN, ENROLL_TOTP, code_at, complete, login, with_totp


async def _challenge(gql: GraphQLClient, cast: Cast) -> tuple[str, str, list[str]]:
    secret, codes = await with_totp(cast.member_a.user)
    step = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    return step["challengeToken"], secret, codes


def _wrong(secret: str) -> str:
    return str((int(code_at(secret)) + 500_000) % 1_000_000).zfill(6)


async def test_an_unknown_challenge_is_an_invalid_token(gql: GraphQLClient, cast: Cast):
    outcome = await complete(gql, "tnm_" + "A" * 43, code="123456")
    assert outcome["__typename"] == "InvalidToken"


async def test_a_challenge_completes_one_sign_in_only(gql: GraphQLClient, cast: Cast):
    challenge, secret, codes = await _challenge(gql, cast)
    assert (await complete(gql, challenge, code=code_at(secret)))["__typename"] == "LoginSuccess"
    outcome = await complete(gql, challenge, recoveryCode=codes[0])
    assert outcome["__typename"] == "InvalidToken"


async def test_concurrent_completions_of_one_challenge_sign_in_once(gql: GraphQLClient, cast: Cast):
    challenge, secret, codes = await _challenge(gql, cast)
    outcomes = await asyncio.gather(
        complete(gql, challenge, code=code_at(secret)),
        complete(gql, challenge, recoveryCode=codes[0]),
        complete(gql, challenge, recoveryCode=codes[1]),
    )
    assert sorted(o["__typename"] for o in outcomes).count("LoginSuccess") == 1


async def test_an_expired_challenge_is_an_invalid_token(gql: GraphQLClient, cast: Cast):
    challenge, secret, _ = await _challenge(gql, cast)
    await MfaChallenge.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    outcome = await complete(gql, challenge, code=code_at(secret))
    assert outcome["__typename"] == "InvalidToken"


async def test_the_challenge_lives_five_minutes(gql: GraphQLClient, cast: Cast):
    await with_totp(cast.member_a.user)
    step = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    lifetime = datetime.fromisoformat(step["expiresAt"]) - datetime.now(UTC)
    assert timedelta(minutes=4) < lifetime <= timedelta(minutes=5)


async def test_five_wrong_answers_end_the_challenge(gql: GraphQLClient, cast: Cast):
    challenge, secret, _ = await _challenge(gql, cast)
    for _ in range(5):
        assert (await complete(gql, challenge, code=_wrong(secret)))["__typename"] == (
            "InvalidCredentials"
        )
    outcome = await complete(gql, challenge, code=code_at(secret))
    assert outcome["__typename"] == "InvalidToken"


async def test_guessing_across_new_challenges_is_limited_per_account(
    gql: GraphQLClient, cast: Cast
):
    secret, _ = await with_totp(cast.member_a.user)
    for _ in range(4):
        challenge = (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["challengeToken"]
        for _ in range(5):
            await complete(gql, challenge, code=_wrong(secret))
    challenge = (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["challengeToken"]
    outcome = await complete(gql, challenge, code=code_at(secret))
    assert outcome["__typename"] == "RateLimited"
    assert outcome["retryAfterSeconds"] > 0


async def test_guessing_challenge_tokens_is_limited_per_client(gql: GraphQLClient, cast: Cast):
    outcomes = [
        (await complete(gql, f"tnm_{n:043d}", code="123456"))["__typename"] for n in range(31)
    ]
    assert outcomes[:30] == ["InvalidToken"] * 30
    assert outcomes[30] == "RateLimited"


async def test_another_users_code_does_not_complete_a_challenge(gql: GraphQLClient, cast: Cast):
    challenge, _, _ = await _challenge(gql, cast)
    others, _ = await with_totp(cast.guest_a.user)
    assert (await complete(gql, challenge, code=code_at(others)))["__typename"] == (
        "InvalidCredentials"
    )


async def test_a_challenge_signs_in_the_user_who_passed_the_password(
    gql: GraphQLClient, cast: Cast
):
    challenge, secret, _ = await _challenge(gql, cast)
    outcome = await complete(gql, challenge, code=code_at(secret))
    assert outcome["user"]["username"] == cast.member_a.user.username


@pytest.mark.parametrize(
    "proof",
    [{}, {"code": "123456", "recoveryCode": "aaaa-bbbb-cccc-dddd"}],
    ids=["none", "two"],
)
async def test_exactly_one_proof_is_taken(gql: GraphQLClient, cast: Cast, proof: dict):
    challenge, _, _ = await _challenge(gql, cast)
    assert (await complete(gql, challenge, **proof))["__typename"] == "InvalidCredentials"


async def test_a_sign_in_challenge_is_no_bearer_credential(gql: GraphQLClient, cast: Cast):
    challenge, _, _ = await _challenge(gql, cast)
    me = await gql("query { me { username } }", token=challenge)
    assert me.data.get("me") is None
    enrolled = await gql(ENROLL_TOTP, token=challenge)
    assert enrolled.codes == ["UNAUTHENTICATED"]


async def test_an_api_token_request_cannot_complete_a_sign_in(
    gql: GraphQLClient, cast: Cast, make: Factory
):
    challenge, secret, _ = await _challenge(gql, cast)
    _, api_token = await make.api_token(cast.admin_a.user)
    result = await gql(
        COMPLETE_LOGIN, {"input": {"challengeToken": challenge, "code": code_at(secret)}},
        token=api_token,
    )  # fmt: skip
    assert result.codes == ["FORBIDDEN"]
    assert (await complete(gql, challenge, code=code_at(secret)))["__typename"] == "LoginSuccess"


async def test_challenges_codes_and_sessions_stay_out_of_the_logs(
    gql: GraphQLClient, cast: Cast, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    challenge, secret, codes = await _challenge(gql, cast)
    await complete(gql, challenge, code=_wrong(secret))
    session = (await complete(gql, challenge, recoveryCode=codes[0]))["sessionToken"]
    for secret_value in (challenge, secret, codes[0], codes[1], session):
        assert secret_value not in caplog.text
