"""Who may manage second factors: every signed-in role, each their own; API tokens may list
passkeys but neither obtain nor remove a factor."""

from __future__ import annotations

import pytest

from tests.factories import Cast, Factory
from tests.graphql_client import GraphQLClient
from tests.mfa.helpers import (
    BEGIN_PASSKEY,
    CONFIRM_TOTP,
    DISABLE_TOTP,
    ENROLL_TOTP,
    FINISH_PASSKEY,
    MY_PASSKEYS,
    REMOVE_PASSKEY,
    enroll_totp,
    register_passkey,
)

ROLES = ["superuser", "admin", "member", "guest", "other_admin"]
SELF_SERVICE = {
    "enrollTotp": (ENROLL_TOTP, None),
    "confirmTotp": (CONFIRM_TOTP, {"code": "123456"}),
    "disableTotp": (DISABLE_TOTP, {"password": "x", "code": "123456"}),
    "beginPasskeyRegistration": (BEGIN_PASSKEY, None),
    "finishPasskeyRegistration": (FINISH_PASSKEY, {"name": "k", "response": "{}"}),
    "removePasskey": (REMOVE_PASSKEY, {"id": "00000000-0000-0000-0000-000000000000"}),
}


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_enrolls_totp_for_themself(gql: GraphQLClient, cast: Cast, role: str):
    person = cast.by_role(role)
    await enroll_totp(gql, as_=person)
    me = await gql("query { me { mfaEnabled } }", as_=person)
    assert me.ok()["me"]["mfaEnabled"] is True


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_registers_a_passkey_for_themself(
    gql: GraphQLClient, cast: Cast, role: str
):
    _, finished = await register_passkey(gql, as_=cast.by_role(role))
    assert finished.payload("finishPasskeyRegistration")["__typename"] == "PasskeyPayload"
    assert len((await gql(MY_PASSKEYS, as_=cast.by_role(role))).ok()["myPasskeys"]) == 1


@pytest.mark.parametrize("field", [*SELF_SERVICE, "myPasskeys"])
async def test_anonymous_callers_manage_no_factors(gql: GraphQLClient, cast: Cast, field: str):
    document, variables = SELF_SERVICE.get(field, (MY_PASSKEYS, None))
    assert (await gql(document, variables)).codes == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("field", list(SELF_SERVICE))
async def test_an_api_token_obtains_or_removes_no_factor(
    gql: GraphQLClient, cast: Cast, make: Factory, field: str
):
    _, api_token = await make.api_token(cast.member_a.user)
    document, variables = SELF_SERVICE[field]
    result = await gql(document, variables, token=api_token)
    assert result.codes == ["FORBIDDEN"]
    assert "API token" in result.errors[0]["message"]


async def test_an_api_token_lists_its_owners_passkeys(
    gql: GraphQLClient, cast: Cast, make: Factory
):
    await register_passkey(gql, as_=cast.member_a, name="Laptop")
    _, api_token = await make.api_token(cast.member_a.user)
    listed = (await gql(MY_PASSKEYS, token=api_token)).ok()["myPasskeys"]
    assert [p["name"] for p in listed] == ["Laptop"]
