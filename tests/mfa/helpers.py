"""Documents and flows shared by the second-factor and tenant-settings tests."""

from __future__ import annotations

import time
from typing import Any

import pyotp

from domain.auth import recovery_codes
from domain.secrets import encrypt
from models import TotpFactor, User
from tests.graphql_client import GraphQLClient, Result
from tests.mfa.authenticator import SoftAuthenticator
from tests.secrets_seen import remember

LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginSuccess { sessionToken user { username } }
    ... on MfaRequired { challengeToken methods expiresAt webauthnOptionsJson enrollmentRequired }
    ... on Error { message }
  }
}
"""
COMPLETE_LOGIN = """
mutation($input: CompleteLoginInput!) {
  completeLogin(input: $input) {
    __typename
    ... on LoginSuccess { sessionToken user { username mfaEnabled } }
    ... on RateLimited { retryAfterSeconds }
    ... on Error { message }
  }
}
"""
ENROLL_TOTP = """
mutation { enrollTotp { __typename ... on TotpEnrollment { secret otpauthUri }
  ... on ValidationError { message field } } }
"""
CONFIRM_TOTP = """
mutation($code: String!) { confirmTotp(code: $code) { __typename
  ... on MfaEnabled { recoveryCodes user { username mfaEnabled } }
  ... on ValidationError { message field } ... on Error { message } } }
"""
DISABLE_TOTP = """
mutation($password: String!, $code: String!) {
  disableTotp(currentPassword: $password, code: $code) { __typename
    ... on UserPayload { user { mfaEnabled } } ... on ValidationError { message field }
    ... on Error { message } } }
"""
BEGIN_PASSKEY = """
mutation { beginPasskeyRegistration { __typename
  ... on WebauthnRegistrationOptions { optionsJson } ... on ValidationError { message } } }
"""
FINISH_PASSKEY = """
mutation($name: String!, $response: String!) {
  finishPasskeyRegistration(name: $name, responseJson: $response) { __typename
    ... on PasskeyPayload { passkey { id name createdAt lastUsedAt } }
    ... on ValidationError { message field } } }
"""
MY_PASSKEYS = "query { myPasskeys { id name lastUsedAt } }"
REMOVE_PASSKEY = """
mutation($id: ID!) { removePasskey(id: $id) { __typename
  ... on RemovePasskeySuccess { removedPasskeyId } ... on Error { message } } }
"""
RESET_MFA = """
mutation($id: ID!) { resetMfa(userId: $id) { __typename
  ... on UserPayload { user { username mfaEnabled } } ... on Error { message } } }
"""
ME = "query { me { username mfaEnabled } }"


def code_at(secret: str, steps_ahead: int = 0) -> str:
    """The code of the current 30-second step, or of one to come (the window takes one ahead).
    Never one behind: a step boundary passing mid-test would push it out of the window."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


async def with_totp(user: User) -> tuple[str, list[str]]:
    """A confirmed TOTP factor with no step used yet, and its recovery codes (as confirmTotp
    leaves them, without spending a code of the current step)."""
    secret = pyotp.random_base32()
    remember(secret)
    await TotpFactor.create(user=user, secret_encrypted=encrypt(secret), confirmed=True)
    from tortoise import connections

    codes = await recovery_codes.replace_codes(user.id, connections.get("default"))
    for code in codes:
        remember(code)
    return secret, codes


async def login(gql: GraphQLClient, user: User, password: str, tenant: str = "acme") -> dict:
    result = await gql(
        LOGIN, {"input": {"tenant": tenant, "username": user.username, "password": password}}
    )
    return result.payload("login")


async def complete(gql: GraphQLClient, challenge: str, **proof: Any) -> dict:
    result = await gql(COMPLETE_LOGIN, {"input": {"challengeToken": challenge, **proof}})
    return result.payload("completeLogin")


async def enroll_totp(gql: GraphQLClient, *, as_: Any = None, token: str | None = None) -> str:
    """enrollTotp then confirmTotp over the API; returns the secret (its current step used)."""
    enrolled = (await gql(ENROLL_TOTP, as_=as_, token=token)).payload("enrollTotp")
    assert enrolled["__typename"] == "TotpEnrollment", enrolled
    confirmed = await gql(CONFIRM_TOTP, {"code": code_at(enrolled["secret"])}, as_=as_, token=token)
    payload = confirmed.payload("confirmTotp")
    assert payload["__typename"] == "MfaEnabled", payload
    for code in payload["recoveryCodes"]:
        remember(code)
    return enrolled["secret"]


async def register_passkey(
    gql: GraphQLClient, *, as_: Any = None, token: str | None = None, name: str = "YubiKey"
) -> tuple[SoftAuthenticator, Result]:
    begun = (await gql(BEGIN_PASSKEY, as_=as_, token=token)).payload("beginPasskeyRegistration")
    authenticator = SoftAuthenticator()
    response = authenticator.create(begun["optionsJson"])
    finished = await gql(FINISH_PASSKEY, {"name": name, "response": response}, as_=as_, token=token)
    return authenticator, finished
