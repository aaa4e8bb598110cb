"""tenants and createTenant: superusers only; names validated and unique regardless of case."""

from __future__ import annotations

import pytest

from models import AuditEvent, Tenant
from tests.factories import Cast

TENANTS = "{ tenants { id name createdAt } }"
CREATE = """
mutation($name: String!) {
  createTenant(name: $name) {
    __typename
    ... on TenantPayload { tenant { id name } }
    ... on Error { message }
    ... on ValidationError { field }
    ... on AlreadyExists { field }
  }
}
"""


async def test_a_superuser_lists_every_tenant_by_name(gql, cast: Cast):
    result = (await gql(TENANTS, as_=cast.superuser)).ok()
    assert [t["name"] for t in result["tenants"]] == ["acme", "globex"]


async def test_a_superuser_creates_a_tenant_that_then_appears_in_the_list(gql, cast: Cast):
    created = (await gql(CREATE, {"name": "  Initech "}, as_=cast.superuser)).payload(
        "createTenant"
    )
    assert created["__typename"] == "TenantPayload"
    assert created["tenant"]["name"] == "Initech"
    names = [t["name"] for t in (await gql(TENANTS, as_=cast.superuser)).ok()["tenants"]]
    assert names == ["acme", "globex", "Initech"]


async def test_creating_a_tenant_writes_an_audit_event(gql, cast: Cast):
    created = (await gql(CREATE, {"name": "initech"}, as_=cast.superuser)).payload("createTenant")
    event = await AuditEvent.get(action="tenant.created")
    assert event.target_id == created["tenant"]["id"]
    assert event.actor_id == cast.superuser.user.id  # type: ignore[attr-defined]
    assert event.changes == {"name": "initech"}


@pytest.mark.parametrize("name", ["ACME", "acme", " Acme "])
async def test_a_tenant_name_taken_in_any_case_is_refused(gql, cast: Cast, name: str):
    result = (await gql(CREATE, {"name": name}, as_=cast.superuser)).payload("createTenant")
    assert result["__typename"] == "AlreadyExists"
    assert result["field"] == "name"
    assert await Tenant.all().count() == 2


@pytest.mark.parametrize("name", ["", "   ", "-leading-dash", "a/b", "x" * 65, "semi;colon"])
async def test_an_invalid_tenant_name_is_refused(gql, cast: Cast, name: str):
    result = (await gql(CREATE, {"name": name}, as_=cast.superuser)).payload("createTenant")
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "name"
    assert await Tenant.all().count() == 2


@pytest.mark.parametrize("role", ["guest", "member", "admin", "other_admin"])
async def test_only_superusers_may_create_tenants(gql, cast: Cast, role: str):
    result = await gql(CREATE, {"name": "initech"}, as_=cast.by_role(role))
    assert result.codes == ["FORBIDDEN"]
    assert await Tenant.all().count() == 2


@pytest.mark.parametrize("role", ["guest", "member", "admin", "other_admin"])
async def test_only_superusers_may_list_tenants(gql, cast: Cast, role: str):
    result = await gql(TENANTS, as_=cast.by_role(role))
    assert result.codes == ["FORBIDDEN"]
    assert result.body["data"] is None


async def test_anonymous_callers_must_sign_in_for_tenants(gql, cast: Cast):
    assert (await gql(TENANTS)).codes == ["UNAUTHENTICATED"]
    assert (await gql(CREATE, {"name": "initech"})).codes == ["UNAUTHENTICATED"]
