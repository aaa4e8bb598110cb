"""Group-to-role mapping at SAML sign-in (issue 15 part 1): with the tenant's groups
attribute named, a signed response's values of it are the user's groups, and their role the
highest mapped one. Never past the last admin; never the superuser bit."""

from __future__ import annotations

import pytest

from domain.group_roles import set_group_role_mapping
from domain.scim_tokens import create_scim_token
from domain.users import actor_of
from models import AuditEvent, AuthMethod, Role, User
from tests.saml.test_acs_sign_in import saml_user
from tests.secrets_seen import remember

SETTINGS = """
mutation($input: TenantSettingsInput!) {
  updateTenantSettings(input: $input) { __typename }
}
"""
ATTRIBUTE = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"


@pytest.fixture
async def mapping(gql, cast, sso_a):
    """acme reads groups from ATTRIBUTE; Admins are admins, Readers guests."""
    variables = {"input": {"tenantId": str(cast.tenant_a.id), "samlGroupsAttribute": ATTRIBUTE}}
    assert (await gql(SETTINGS, variables, as_=cast.admin_a)).ok()
    admin = actor_of(cast.admin_a.user)
    await set_group_role_mapping(admin, str(cast.tenant_a.id), "Admins", Role.ADMIN)
    await set_group_role_mapping(admin, str(cast.tenant_a.id), "Readers", Role.GUEST)
    sso_a.tenant = await type(sso_a.tenant).get(id=sso_a.tenant.id)
    return sso_a


async def sign_in(sso, email: str, groups: list[str] | None) -> int:
    request_id = await sso.login()
    attributes = {ATTRIBUTE: groups} if groups is not None else {}
    spec = sso.spec(request_id, email, attributes=attributes)
    return (await sso.post(sso.signed(spec))).status_code


async def role(user: User) -> Role:
    return (await User.get(id=user.id)).role


async def test_a_mapped_group_in_the_attribute_sets_the_role_at_sign_in(make, mapping):
    user = await saml_user(make, mapping, "sam@acme.example", role=Role.MEMBER)
    assert await sign_in(mapping, "sam@acme.example", ["Staff", "Admins"]) == 303
    assert await role(user) is Role.ADMIN
    assert (await User.get(id=user.id)).saml_groups == ["Staff", "Admins"]


async def test_the_groups_of_each_sign_in_replace_the_last_ones(make, mapping):
    user = await saml_user(make, mapping, "sam@acme.example", role=Role.MEMBER)
    await sign_in(mapping, "sam@acme.example", ["Admins"])
    await sign_in(mapping, "sam@acme.example", ["readers"])
    assert await role(user) is Role.GUEST
    await sign_in(mapping, "sam@acme.example", [])
    assert await role(user) is Role.MEMBER


async def test_a_role_changed_at_sign_in_is_audited(make, mapping):
    user = await saml_user(make, mapping, "sam@acme.example", role=Role.MEMBER)
    await sign_in(mapping, "sam@acme.example", ["Admins"])
    event = await AuditEvent.get(action="user.updated", target_id=str(user.id))
    assert (event.actor_name, event.changes["role"]) == ("SAML sign-in", Role.ADMIN.value)


async def test_without_the_tenants_attribute_the_groups_are_ignored(make, cast, sso_a):
    await set_group_role_mapping(
        actor_of(cast.admin_a.user), str(cast.tenant_a.id), "Admins", Role.ADMIN
    )
    user = await saml_user(make, sso_a, "sam@acme.example", role=Role.MEMBER)
    assert await sign_in(sso_a, "sam@acme.example", ["Admins"]) == 303
    assert await role(user) is Role.MEMBER


async def test_the_last_admin_keeps_the_role_and_still_signs_in(make, cast, mapping):
    await User.filter(id__in=[cast.superuser.user.id, cast.admin_a.user.id]).update(
        role=Role.MEMBER
    )
    user = await saml_user(make, mapping, "boss@acme.example", role=Role.ADMIN)
    assert await sign_in(mapping, "boss@acme.example", ["Readers"]) == 303
    assert await role(user) is Role.ADMIN


async def test_a_superusers_role_and_bit_are_left_alone(make, mapping):
    user = await saml_user(make, mapping, "root@acme.example", role=Role.MEMBER, superuser=True)
    assert await sign_in(mapping, "root@acme.example", ["Admins"]) == 303
    fresh = await User.get(id=user.id)
    assert (fresh.role, fresh.superuser) == (Role.MEMBER, True)


async def test_a_user_provisioned_by_scim_signs_in_with_saml_and_gets_the_mapped_role(
    http, cast, mapping
):
    created = await create_scim_token(actor_of(cast.admin_a.user), str(cast.tenant_a.id))
    remember(created.secret)
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "nia@acme.example",
        "emails": [{"value": "nia@acme.example", "type": "work", "primary": True}],
    }
    response = await http.post(
        "/scim/v2/acme/Users",
        json=body,
        headers={"Authorization": f"Bearer {created.secret}"},
    )
    assert response.status_code == 201, response.text
    user = await User.get(id=response.json()["id"])
    assert user.auth_method is AuthMethod.SAML
    assert await sign_in(mapping, "nia@acme.example", ["Admins"]) == 303
    fresh = await User.get(id=user.id)
    assert (fresh.saml_name_id, fresh.role) == ("nia@acme.example", Role.ADMIN)
