"""createScimToken, revokeScimToken, scimTokens (issue 15 part 1): a superuser or the
tenant's admin mints a per-tenant SCIM bearer token, shown once and stored as a hash."""

from __future__ import annotations

import pytest

from domain.secrets import digest
from models import AuditEvent, ScimToken
from tests.scim.queries import CREATE, REVOKE, TOKENS
from tests.tokens.helpers import refused_as_a_token_request, token_of


async def create(gql, person, tenant_id) -> dict:
    return (await gql(CREATE, {"tenantId": str(tenant_id)}, as_=person)).payload("createScimToken")


@pytest.mark.parametrize("role", ["admin", "superuser"])
async def test_an_admin_or_a_superuser_creates_a_scim_token_shown_once(gql, cast, role):
    answer = await create(gql, cast.by_role(role), cast.tenant_a.id)
    assert answer["__typename"] == "CreateScimTokenSuccess"
    assert answer["token"].startswith("scim_")
    assert answer["baseUrl"] == f"http://tenantry.test/scim/v2/{cast.tenant_a.name}"
    assert answer["scimToken"]["tenant"]["name"] == cast.tenant_a.name
    assert answer["token"].startswith(answer["scimToken"]["prefix"])
    assert answer["scimToken"]["lastUsedAt"] is None


async def test_the_token_is_stored_as_its_hash_only(gql, cast):
    answer = await create(gql, cast.admin_a, cast.tenant_a.id)
    row = await ScimToken.get(id=answer["scimToken"]["id"])
    assert row.token_hash == digest(answer["token"])
    assert answer["token"] not in str(await ScimToken.all().values())


async def test_creating_a_token_is_audited_without_its_secret(gql, cast):
    answer = await create(gql, cast.admin_a, cast.tenant_a.id)
    event = await AuditEvent.get(action="scim_token.created")
    assert event.target_id == answer["scimToken"]["id"]
    assert answer["token"] not in str(event.changes)


@pytest.mark.parametrize("role", ["member", "guest"])
async def test_members_and_guests_may_not_create_scim_tokens(gql, cast, role):
    result = await gql(CREATE, {"tenantId": str(cast.tenant_a.id)}, as_=cast.by_role(role))
    assert result.codes == ["FORBIDDEN"]
    assert await ScimToken.all().count() == 0


async def test_another_tenants_admin_finds_no_such_tenant(gql, cast):
    answer = await create(gql, cast.admin_b, cast.tenant_a.id)
    assert answer["__typename"] == "NotFound"
    assert await ScimToken.all().count() == 0


async def test_an_anonymous_caller_is_unauthenticated(gql, cast):
    result = await gql(CREATE, {"tenantId": str(cast.tenant_a.id)})
    assert result.codes == ["UNAUTHENTICATED"]


async def test_a_request_made_with_an_api_token_may_not_create_a_scim_token(gql, cast, make):
    token = await token_of(make, cast.admin_a)
    refused_as_a_token_request(await gql(CREATE, {"tenantId": str(cast.tenant_a.id)}, token=token))
    assert await ScimToken.all().count() == 0


async def test_a_bad_tenant_id_is_not_found(gql, cast):
    answer = await create(gql, cast.superuser, "not-an-id")
    assert answer["__typename"] == "NotFound"


async def test_the_list_shows_prefixes_never_secrets(gql, cast):
    answer = await create(gql, cast.admin_a, cast.tenant_a.id)
    listed = (await gql(TOKENS, {"tenantId": str(cast.tenant_a.id)}, as_=cast.admin_a)).ok()
    assert listed["scimTokens"] == [
        {"id": answer["scimToken"]["id"], "prefix": answer["scimToken"]["prefix"],
         "lastUsedAt": None}
    ]  # fmt: skip


async def test_another_tenants_admin_cannot_list_the_tokens(gql, cast):
    await create(gql, cast.admin_a, cast.tenant_a.id)
    result = await gql(TOKENS, {"tenantId": str(cast.tenant_a.id)}, as_=cast.admin_b)
    assert result.codes == ["NOT_FOUND"]


async def test_members_cannot_list_the_tokens(gql, cast):
    result = await gql(TOKENS, {"tenantId": str(cast.tenant_a.id)}, as_=cast.member_a)
    assert result.codes == ["FORBIDDEN"]


async def test_revoking_a_token_removes_it(gql, cast):
    answer = await create(gql, cast.admin_a, cast.tenant_a.id)
    token_id = answer["scimToken"]["id"]
    revoked = (await gql(REVOKE, {"id": token_id}, as_=cast.admin_a)).payload("revokeScimToken")
    assert revoked == {"__typename": "RevokeScimTokenSuccess", "revokedScimTokenId": token_id}
    assert await ScimToken.all().count() == 0
    assert await AuditEvent.filter(action="scim_token.revoked").count() == 1


async def test_another_tenants_admin_cannot_revoke_a_token(gql, cast):
    answer = await create(gql, cast.admin_a, cast.tenant_a.id)
    revoked = (await gql(REVOKE, {"id": answer["scimToken"]["id"]}, as_=cast.admin_b)).payload(
        "revokeScimToken"
    )
    assert revoked["__typename"] == "NotFound"
    assert await ScimToken.all().count() == 1


async def test_a_request_made_with_an_api_token_may_not_revoke_a_scim_token(gql, cast, make):
    answer = await create(gql, cast.admin_a, cast.tenant_a.id)
    token = await token_of(make, cast.admin_a)
    refused_as_a_token_request(await gql(REVOKE, {"id": answer["scimToken"]["id"]}, token=token))
    assert await ScimToken.all().count() == 1


async def test_a_scim_token_opens_no_graphql_request(gql, cast):
    answer = await create(gql, cast.admin_a, cast.tenant_a.id)
    result = await gql("{ users { totalCount } }", token=answer["token"])
    assert result.codes == ["UNAUTHENTICATED"]
    assert (await gql("{ me { username } }", token=answer["token"])).ok()["me"] is None


async def test_a_node_query_finds_a_token_for_its_admin_only(gql, cast):
    answer = await create(gql, cast.admin_a, cast.tenant_a.id)
    query = "query($id: ID!) { node(id: $id) { __typename id } }"
    variables = {"id": answer["scimToken"]["id"]}
    assert (await gql(query, variables, as_=cast.admin_a)).ok()["node"]["__typename"] == "ScimToken"
    assert (await gql(query, variables, as_=cast.admin_b)).ok()["node"] is None
    assert (await gql(query, variables, as_=cast.member_a)).ok()["node"] is None


@pytest.mark.parametrize("role", ["guest", "member"])
async def test_guests_and_members_cannot_list_the_tokens(gql, cast, role):
    result = await gql(TOKENS, {"tenantId": str(cast.tenant_a.id)}, as_=cast.by_role(role))
    assert result.codes == ["FORBIDDEN"]


async def test_a_superuser_lists_any_tenants_tokens(gql, cast):
    await create(gql, cast.admin_b, cast.tenant_b.id)
    listed = (await gql(TOKENS, {"tenantId": str(cast.tenant_b.id)}, as_=cast.superuser)).ok()
    assert len(listed["scimTokens"]) == 1


async def test_an_anonymous_caller_cannot_list_the_tokens(gql, cast):
    result = await gql(TOKENS, {"tenantId": str(cast.tenant_a.id)})
    assert result.codes == ["UNAUTHENTICATED"]


async def test_a_request_made_with_an_api_token_cannot_list_the_tokens(gql, cast, make):
    token = await token_of(make, cast.admin_a)
    refused_as_a_token_request(await gql(TOKENS, {"tenantId": str(cast.tenant_a.id)}, token=token))
