"""API tokens: created once with their secret, stored as a digest, revoked by owner or admin."""

from __future__ import annotations

import hashlib

import pytest

from models import ApiToken, AuditEvent
from tests.factories import Cast, Factory

CREATE = """
mutation($name: String!) {
  createApiToken(name: $name) {
    __typename
    ... on CreateApiTokenSuccess {
      token
      apiToken { id name prefix createdAt lastUsedAt owner { username } }
    }
    ... on ValidationError { field message }
  }
}
"""
REVOKE = """
mutation($id: ID!) {
  revokeApiToken(id: $id) {
    __typename
    ... on RevokeApiTokenSuccess { revokedApiTokenId }
    ... on Error { message }
  }
}
"""

CREATORS = ["member", "admin", "superuser", "other_admin"]


@pytest.mark.parametrize("role", CREATORS)
async def test_members_admins_and_superusers_create_tokens_they_own(gql, cast: Cast, role):
    caller = cast.by_role(role)
    payload = (await gql(CREATE, {"name": "CI"}, as_=caller)).payload("createApiToken")
    assert payload["__typename"] == "CreateApiTokenSuccess"
    assert payload["apiToken"]["name"] == "CI"
    assert payload["apiToken"]["owner"]["username"] == caller.user.username
    assert payload["apiToken"]["lastUsedAt"] is None
    token = await ApiToken.get(id=payload["apiToken"]["id"])
    assert token.owner_id == caller.user.id


async def test_a_guest_may_not_create_a_token(gql, cast: Cast):
    result = await gql(CREATE, {"name": "CI"}, as_=cast.guest_a)
    assert result.codes == ["FORBIDDEN"]
    assert await ApiToken.all().count() == 0


async def test_anonymous_callers_may_not_create_a_token(gql, cast: Cast):
    assert (await gql(CREATE, {"name": "CI"})).codes == ["UNAUTHENTICATED"]


async def test_the_secret_is_recognisable_and_carries_at_least_128_random_bits(gql, cast: Cast):
    payload = (await gql(CREATE, {"name": "CI"}, as_=cast.member_a)).payload("createApiToken")
    secret = payload["token"]
    assert secret.startswith("tnt_")
    # URL-safe base64: 6 bits a character.
    assert len(secret.removeprefix("tnt_")) * 6 >= 128
    others = {
        (await gql(CREATE, {"name": f"n{i}"}, as_=cast.member_a)).payload("createApiToken")["token"]
        for i in range(5)
    }
    assert secret not in others and len(others) == 5


async def test_only_a_digest_of_the_secret_is_stored(gql, cast: Cast):
    payload = (await gql(CREATE, {"name": "CI"}, as_=cast.member_a)).payload("createApiToken")
    secret = payload["token"]
    row = await ApiToken.get(id=payload["apiToken"]["id"]).values()
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(isinstance(v, str) and secret in v for v in row.values())


async def test_the_prefix_is_the_first_characters_of_the_secret_and_never_all_of_it(
    gql, cast: Cast
):
    payload = (await gql(CREATE, {"name": "CI"}, as_=cast.member_a)).payload("createApiToken")
    prefix = payload["apiToken"]["prefix"]
    assert prefix.startswith("tnt_") and len(prefix) > len("tnt_")
    assert payload["token"].startswith(prefix)
    assert len(prefix) < len(payload["token"]) - 20


async def test_the_secret_cannot_be_read_again(gql, cast: Cast):
    await gql(CREATE, {"name": "CI"}, as_=cast.member_a)
    query = "{ me { ownedTokens { name prefix } } }"
    result = await gql(query, as_=cast.member_a)
    assert list(result.ok()["me"]["ownedTokens"][0]) == ["name", "prefix"]
    secret_field = await gql("{ me { ownedTokens { token } } }", as_=cast.member_a)
    assert secret_field.errors  # there is no such field


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "bad\nname"])
async def test_a_token_name_must_be_a_plain_name(gql, cast: Cast, name):
    payload = (await gql(CREATE, {"name": name}, as_=cast.member_a)).payload("createApiToken")
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "name"
    assert await ApiToken.all().count() == 0


async def test_creating_a_token_writes_an_audit_event_without_the_secret(gql, cast: Cast):
    payload = (await gql(CREATE, {"name": "CI"}, as_=cast.member_a)).payload("createApiToken")
    event = await AuditEvent.get(action="api_token.created")
    assert event.target_type == "api_token"
    assert event.target_id == payload["apiToken"]["id"]
    assert event.actor_id == cast.member_a.user.id
    assert payload["token"] not in str(event.changes)
    assert event.changes["prefix"] == payload["apiToken"]["prefix"]


# ------------------------------------------------------------------ revokeApiToken


async def test_the_owner_revokes_their_token(gql, cast: Cast, make: Factory):
    token, _ = await make.api_token(cast.member_a.user)
    result = await gql(REVOKE, {"id": str(token.id)}, as_=cast.member_a)
    assert result.payload("revokeApiToken") == {
        "__typename": "RevokeApiTokenSuccess",
        "revokedApiTokenId": str(token.id),
    }
    assert not await ApiToken.exists(id=token.id)


async def test_a_member_may_not_revoke_a_colleagues_token(gql, cast: Cast, make: Factory):
    token, _ = await make.api_token(cast.admin_a.user)
    result = await gql(REVOKE, {"id": str(token.id)}, as_=cast.member_a)
    assert result.codes == ["FORBIDDEN"]
    assert await ApiToken.exists(id=token.id)


async def test_a_guest_may_not_revoke_a_token(gql, cast: Cast, make: Factory):
    token, _ = await make.api_token(cast.member_a.user)
    assert (await gql(REVOKE, {"id": str(token.id)}, as_=cast.guest_a)).codes == ["FORBIDDEN"]
    assert await ApiToken.exists(id=token.id)


async def test_anonymous_callers_may_not_revoke_a_token(gql, cast: Cast, make: Factory):
    token, _ = await make.api_token(cast.member_a.user)
    assert (await gql(REVOKE, {"id": str(token.id)})).codes == ["UNAUTHENTICATED"]
    assert await ApiToken.exists(id=token.id)


async def test_an_admin_revokes_any_token_of_their_tenant(gql, cast: Cast, make: Factory):
    token, _ = await make.api_token(cast.member_a.user)
    result = await gql(REVOKE, {"id": str(token.id)}, as_=cast.admin_a)
    assert result.payload("revokeApiToken")["__typename"] == "RevokeApiTokenSuccess"
    assert not await ApiToken.exists(id=token.id)


async def test_a_superuser_revokes_a_token_of_any_tenant(gql, cast: Cast, make: Factory):
    token, _ = await make.api_token(cast.member_b.user)
    result = await gql(REVOKE, {"id": str(token.id)}, as_=cast.superuser)
    assert result.payload("revokeApiToken")["__typename"] == "RevokeApiTokenSuccess"
    assert not await ApiToken.exists(id=token.id)


async def test_another_tenants_admin_finds_no_such_token(gql, cast: Cast, make: Factory):
    token, _ = await make.api_token(cast.member_a.user)
    result = await gql(REVOKE, {"id": str(token.id)}, as_=cast.admin_b)
    assert result.payload("revokeApiToken")["__typename"] == "NotFound"
    assert await ApiToken.exists(id=token.id)


@pytest.mark.parametrize("token_id", ["00000000-0000-0000-0000-000000000000", "tnt_xyz"])
async def test_revoking_a_missing_token_answers_not_found(gql, cast: Cast, token_id):
    result = await gql(REVOKE, {"id": token_id}, as_=cast.admin_a)
    assert result.payload("revokeApiToken")["__typename"] == "NotFound"


async def test_a_revoked_token_stops_working_at_once(gql, cast: Cast, make: Factory):
    token, secret = await make.api_token(cast.member_a.user)
    assert (await gql("{ me { username } }", token=secret)).ok()["me"]["username"] == "mallory"
    await gql(REVOKE, {"id": str(token.id)}, as_=cast.member_a)
    assert (await gql("{ me { username } }", token=secret)).ok()["me"] is None


async def test_revoking_a_token_writes_an_audit_event(gql, cast: Cast, make: Factory):
    token, _ = await make.api_token(cast.member_a.user, "deploy")
    await gql(REVOKE, {"id": str(token.id)}, as_=cast.admin_a)
    event = await AuditEvent.get(action="api_token.revoked")
    assert event.target_id == str(token.id)
    assert event.actor_id == cast.admin_a.user.id
    assert event.changes["name"] == "deploy"
