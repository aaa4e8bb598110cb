"""resetMfa: admins within their tenant, never on superusers; superusers anyone."""

from __future__ import annotations

import pytest

from models import AuditEvent, MfaChallenge, Passkey, RecoveryCode, TotpFactor
from tests.factories import DEFAULT_PASSWORD, Cast, Factory
from tests.graphql_client import GraphQLClient
from tests.mfa.helpers import RESET_MFA, login, register_passkey, with_totp


async def _factors(user_id: object) -> int:
    return (
        await TotpFactor.filter(user_id=user_id).count()
        + await Passkey.filter(user_id=user_id).count()
        + await RecoveryCode.filter(user_id=user_id).count()
    )


async def test_an_admin_resets_a_members_factors(gql: GraphQLClient, cast: Cast):
    await with_totp(cast.member_a.user)
    await register_passkey(gql, as_=cast.member_a)
    await login(gql, cast.member_a.user, DEFAULT_PASSWORD)  # a sign-in under way
    outcome = (await gql(RESET_MFA, {"id": cast.member_a.id}, as_=cast.admin_a)).payload("resetMfa")
    assert outcome["user"] == {"username": "mallory", "mfaEnabled": False}
    assert await _factors(cast.member_a.user.id) == 0
    assert not await MfaChallenge.filter(user_id=cast.member_a.user.id).exists()
    [event] = await AuditEvent.filter(action="user.mfa_reset")
    assert (event.actor_id, event.target_id) == (cast.admin_a.user.id, cast.member_a.id)
    assert event.changes == {"factorsRemoved": 2}
    assert (await login(gql, cast.member_a.user, DEFAULT_PASSWORD))["__typename"] == (
        "LoginSuccess"
    )


async def test_an_admin_cannot_reset_a_superusers_factors(gql: GraphQLClient, cast: Cast):
    await with_totp(cast.superuser.user)
    result = await gql(RESET_MFA, {"id": cast.superuser.id}, as_=cast.admin_a)
    assert result.codes == ["FORBIDDEN"]
    assert await _factors(cast.superuser.user.id) == 11


async def test_an_admin_cannot_reset_another_tenants_user(gql: GraphQLClient, cast: Cast):
    await with_totp(cast.member_b.user)
    outcome = (await gql(RESET_MFA, {"id": cast.member_b.id}, as_=cast.admin_a)).payload("resetMfa")
    assert outcome["__typename"] == "NotFound"
    assert await _factors(cast.member_b.user.id) == 11


async def test_a_superuser_resets_anyones_factors(gql: GraphQLClient, cast: Cast, make: Factory):
    other_superuser = await make.person(cast.tenant_b, username="sue", superuser=True)
    for person in (cast.member_b, other_superuser):
        await with_totp(person.user)
        outcome = (await gql(RESET_MFA, {"id": person.id}, as_=cast.superuser)).payload("resetMfa")
        assert outcome["__typename"] == "UserPayload"
        assert await _factors(person.user.id) == 0


@pytest.mark.parametrize(("role", "code"), [("member", "FORBIDDEN"), ("guest", "FORBIDDEN")])
async def test_members_and_guests_reset_nobody(
    gql: GraphQLClient, cast: Cast, role: str, code: str
):
    await with_totp(cast.admin_a.user)
    result = await gql(RESET_MFA, {"id": cast.admin_a.id}, as_=cast.by_role(role))
    assert result.codes == [code]
    assert await _factors(cast.admin_a.user.id) == 11


async def test_anonymous_callers_reset_nobody(gql: GraphQLClient, cast: Cast):
    result = await gql(RESET_MFA, {"id": cast.member_a.id})
    assert result.codes == ["UNAUTHENTICATED"]


async def test_an_api_token_resets_nobody(gql: GraphQLClient, cast: Cast, make: Factory):
    await with_totp(cast.member_a.user)
    _, api_token = await make.api_token(cast.admin_a.user)
    result = await gql(RESET_MFA, {"id": cast.member_a.id}, token=api_token)
    assert result.codes == ["FORBIDDEN"]
    assert await _factors(cast.member_a.user.id) == 11


async def test_a_user_with_factors_and_a_sign_in_under_way_can_be_deleted(
    gql: GraphQLClient, cast: Cast
):
    await with_totp(cast.member_a.user)
    await register_passkey(gql, as_=cast.member_a)
    await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    result = await gql(
        "mutation($id: ID!) { deleteUser(id: $id) { __typename } }",
        {"id": cast.member_a.id},
        as_=cast.admin_a,
    )
    assert result.payload("deleteUser")["__typename"] == "DeleteUserSuccess"
    assert await _factors(cast.member_a.user.id) == 0
    assert not await MfaChallenge.filter(user_id=cast.member_a.user.id).exists()


async def test_a_tenant_whose_users_have_factors_can_be_deleted(gql: GraphQLClient, cast: Cast):
    await with_totp(cast.member_b.user)
    await register_passkey(gql, as_=cast.member_b)
    result = await gql(
        'mutation($id: ID!) { deleteTenant(id: $id, confirmName: "globex") { __typename } }',
        {"id": str(cast.tenant_b.id)},
        as_=cast.superuser,
    )
    assert result.payload("deleteTenant")["__typename"] == "DeleteTenantSuccess"
    assert await _factors(cast.member_b.user.id) == 0
