"""TenantSettings: who reads and changes them, what they accept, and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest

from models import AuditEvent, Tenant
from tests.factories import Cast, Factory
from tests.graphql_client import GraphQLClient

READ = """
query($tenantId: ID) { tenantSettings(tenantId: $tenantId) {
  tenantId requireMfa invitationTtlHours sessionIdleMinutes allowedAuthMethods samlGroupsAttribute
} }
"""
UPDATE = """
mutation($input: TenantSettingsInput!) { updateTenantSettings(input: $input) { __typename
  ... on TenantSettingsPayload { settings { tenantId requireMfa invitationTtlHours
    sessionIdleMinutes allowedAuthMethods samlGroupsAttribute } }
  ... on ValidationError { message field } ... on Error { message } } }
"""
DEFAULTS = {
    "requireMfa": False,
    "invitationTtlHours": 168,
    "sessionIdleMinutes": None,
    "allowedAuthMethods": ["PASSWORD", "PAM", "SAML"],
    "samlGroupsAttribute": None,
}


async def _update(gql: GraphQLClient, person: Any, tenant: Tenant, **settings: Any) -> Any:
    return await gql(UPDATE, {"input": {"tenantId": str(tenant.id), **settings}}, as_=person)


async def test_an_admin_reads_their_tenants_settings_by_default(gql: GraphQLClient, cast: Cast):
    settings = (await gql(READ, as_=cast.admin_a)).ok()["tenantSettings"]
    assert settings == {"tenantId": str(cast.tenant_a.id), **DEFAULTS}


@pytest.mark.parametrize(
    ("role", "code"),
    [("anonymous", "UNAUTHENTICATED"), ("guest", "FORBIDDEN"), ("member", "FORBIDDEN")],
)
async def test_only_admins_and_superusers_read_settings(
    gql: GraphQLClient, cast: Cast, role: str, code: str
):
    person = None if role == "anonymous" else cast.by_role(role)
    result = await gql(READ, as_=person)
    assert (
        result.codes == [code] and result.data is None or result.data.get("tenantSettings") is None
    )
    assert result.codes == [code]


async def test_an_admin_cannot_read_another_tenants_settings(gql: GraphQLClient, cast: Cast):
    result = await gql(READ, {"tenantId": str(cast.tenant_b.id)}, as_=cast.admin_a)
    assert result.codes == ["NOT_FOUND"]


async def test_a_superuser_reads_any_tenants_settings(gql: GraphQLClient, cast: Cast):
    result = await gql(READ, {"tenantId": str(cast.tenant_b.id)}, as_=cast.superuser)
    assert result.ok()["tenantSettings"]["tenantId"] == str(cast.tenant_b.id)


async def test_an_admin_changes_their_tenants_settings(gql: GraphQLClient, cast: Cast):
    outcome = (
        await _update(gql, cast.admin_a, cast.tenant_a, requireMfa=True, invitationTtlHours=24,
                      sessionIdleMinutes=30, allowedAuthMethods=["SAML"],
                      samlGroupsAttribute="memberOf")
    ).payload("updateTenantSettings")  # fmt: skip
    assert outcome["settings"] == {
        "tenantId": str(cast.tenant_a.id),
        "requireMfa": True,
        "invitationTtlHours": 24,
        "sessionIdleMinutes": 30,
        "allowedAuthMethods": ["SAML"],
        "samlGroupsAttribute": "memberOf",
    }
    assert (await gql(READ, as_=cast.admin_a)).ok()["tenantSettings"] == outcome["settings"]


async def test_settings_left_out_stay_as_they_are(gql: GraphQLClient, cast: Cast):
    await _update(gql, cast.admin_a, cast.tenant_a, invitationTtlHours=24)
    outcome = (await _update(gql, cast.admin_a, cast.tenant_a, requireMfa=True)).payload(
        "updateTenantSettings"
    )
    assert outcome["settings"]["invitationTtlHours"] == 24


async def test_null_lifetimes_go_back_to_the_instances(gql: GraphQLClient, cast: Cast):
    await _update(gql, cast.admin_a, cast.tenant_a, invitationTtlHours=24, sessionIdleMinutes=5)
    outcome = (
        await _update(gql, cast.admin_a, cast.tenant_a, invitationTtlHours=None,
                      sessionIdleMinutes=None)
    ).payload("updateTenantSettings")  # fmt: skip
    assert outcome["settings"]["invitationTtlHours"] == 168
    assert outcome["settings"]["sessionIdleMinutes"] is None


@pytest.mark.parametrize("role", ["anonymous", "guest", "member"])
async def test_guests_and_members_change_no_settings(gql: GraphQLClient, cast: Cast, role: str):
    person = None if role == "anonymous" else cast.by_role(role)
    result = await _update(gql, person, cast.tenant_a, requireMfa=True)
    assert result.codes == ["UNAUTHENTICATED" if person is None else "FORBIDDEN"]
    assert not (await Tenant.get(id=cast.tenant_a.id)).require_mfa


async def test_an_admin_cannot_change_another_tenants_settings(gql: GraphQLClient, cast: Cast):
    outcome = (await _update(gql, cast.admin_a, cast.tenant_b, requireMfa=True)).payload(
        "updateTenantSettings"
    )
    assert outcome["__typename"] == "NotFound"
    assert not (await Tenant.get(id=cast.tenant_b.id)).require_mfa


async def test_a_superuser_changes_any_tenants_settings(gql: GraphQLClient, cast: Cast):
    outcome = (await _update(gql, cast.superuser, cast.tenant_b, requireMfa=True)).payload(
        "updateTenantSettings"
    )
    assert outcome["settings"]["requireMfa"] is True


async def test_an_api_token_reads_but_does_not_change_settings(
    gql: GraphQLClient, cast: Cast, make: Factory
):
    _, api_token = await make.api_token(cast.admin_a.user)
    assert (await gql(READ, token=api_token)).ok()["tenantSettings"]["requireMfa"] is False
    result = await gql(
        UPDATE, {"input": {"tenantId": str(cast.tenant_a.id), "requireMfa": True}},
        token=api_token,
    )  # fmt: skip
    assert result.codes == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"invitationTtlHours": 0}, "invitationTtlHours"),
        ({"invitationTtlHours": 721}, "invitationTtlHours"),
        ({"sessionIdleMinutes": 0}, "sessionIdleMinutes"),
        ({"sessionIdleMinutes": 60 * 24 * 7 + 1}, "sessionIdleMinutes"),
        ({"allowedAuthMethods": []}, "allowedAuthMethods"),
        ({"allowedAuthMethods": None}, "allowedAuthMethods"),
        ({"requireMfa": None}, "requireMfa"),
        ({"samlGroupsAttribute": "member\nOf"}, "samlGroupsAttribute"),
        ({"samlGroupsAttribute": "x" * 257}, "samlGroupsAttribute"),
    ],
)
async def test_bad_settings_are_refused_naming_the_field_and_change_nothing(
    gql: GraphQLClient, cast: Cast, settings: dict, field: str
):
    outcome = (
        await _update(gql, cast.admin_a, cast.tenant_a, **{"requireMfa": True, **settings})
    ).payload("updateTenantSettings")
    assert (outcome["__typename"], outcome["field"]) == ("ValidationError", field)
    assert (await gql(READ, as_=cast.admin_a)).ok()["tenantSettings"] == {
        "tenantId": str(cast.tenant_a.id), **DEFAULTS,
    }  # fmt: skip


async def test_a_change_is_audited_with_the_changed_settings_only(gql: GraphQLClient, cast: Cast):
    await _update(gql, cast.admin_a, cast.tenant_a, requireMfa=True, samlGroupsAttribute=None,
                  allowedAuthMethods=["PASSWORD", "SAML"])  # fmt: skip
    [event] = await AuditEvent.filter(action="tenant.settings_updated")
    assert event.actor_id == cast.admin_a.user.id
    assert event.tenant_id == cast.tenant_a.id
    assert event.changes == {"requireMfa": True, "allowedAuthMethods": ["password", "saml"]}


async def test_a_change_to_nothing_new_writes_no_event(gql: GraphQLClient, cast: Cast):
    await _update(gql, cast.admin_a, cast.tenant_a, requireMfa=False)
    assert not await AuditEvent.filter(action="tenant.settings_updated").exists()
