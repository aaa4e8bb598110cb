"""setGroupRoleMapping, groupRoleMappings (issue 15 part 1): a group name maps to a role; the
roles of the group's current members are recomputed at once, never past the last admin."""

from __future__ import annotations

import pytest

from domain.validation import key
from models import AuditEvent, GroupMembership, GroupRoleMapping, Role, ScimGroup, User
from tests.scim.queries import MAPPINGS, SET_MAPPING, USER
from tests.tokens.helpers import refused_as_a_token_request, token_of


async def in_group(tenant, name: str, *users) -> ScimGroup:
    group = await ScimGroup.get_or_none(tenant_id=tenant.id, name_key=key(name))
    if group is None:
        group = await ScimGroup.create(tenant=tenant, display_name=name, name_key=key(name))
    for user in users:
        await GroupMembership.create(group=group, user=user)
    return group


async def set_mapping(gql, person, tenant_id, group: str, role: str | None) -> dict:
    variables = {"input": {"tenantId": str(tenant_id), "group": group, "role": role}}
    return (await gql(SET_MAPPING, variables, as_=person)).payload("setGroupRoleMapping")


async def role_of(person) -> Role:
    return (await User.get(id=person.user.id)).role


@pytest.mark.parametrize("role", ["admin", "superuser"])
async def test_an_admin_or_a_superuser_maps_a_group_to_a_role(gql, cast, role):
    answer = await set_mapping(gql, cast.by_role(role), cast.tenant_a.id, "Engineering", "ADMIN")
    assert answer["__typename"] == "GroupRoleMappingsPayload"
    assert [(m["group"], m["role"]) for m in answer["mappings"]] == [("Engineering", "ADMIN")]
    listed = (await gql(MAPPINGS, {"tenantId": str(cast.tenant_a.id)}, as_=cast.admin_a)).ok()
    assert listed["groupRoleMappings"] == answer["mappings"]


async def test_mapping_a_group_recomputes_the_roles_of_its_members(gql, cast):
    await in_group(cast.tenant_a, "Engineering", cast.member_a.user, cast.guest_a.user)
    await set_mapping(gql, cast.admin_a, cast.tenant_a.id, "engineering", "ADMIN")
    assert await role_of(cast.member_a) is Role.ADMIN
    assert await role_of(cast.guest_a) is Role.ADMIN


async def test_a_user_gets_the_highest_role_of_their_mapped_groups(gql, cast):
    await in_group(cast.tenant_a, "Readers", cast.member_a.user)
    await in_group(cast.tenant_a, "Writers", cast.member_a.user)
    await set_mapping(gql, cast.admin_a, cast.tenant_a.id, "Readers", "GUEST")
    assert await role_of(cast.member_a) is Role.GUEST
    await set_mapping(gql, cast.admin_a, cast.tenant_a.id, "Writers", "ADMIN")
    assert await role_of(cast.member_a) is Role.ADMIN


async def test_removing_a_mapping_drops_its_members_to_the_unmapped_role(gql, cast):
    await in_group(cast.tenant_a, "Readers", cast.guest_a.user)
    await set_mapping(gql, cast.admin_a, cast.tenant_a.id, "Other", "ADMIN")
    await set_mapping(gql, cast.admin_a, cast.tenant_a.id, "Readers", "GUEST")
    answer = await set_mapping(gql, cast.admin_a, cast.tenant_a.id, "Readers", None)
    assert [m["group"] for m in answer["mappings"]] == ["Other"]
    assert await role_of(cast.guest_a) is Role.MEMBER


async def test_a_mapping_never_changes_a_superusers_role_or_bit(gql, cast, make):
    boss = await make.user(cast.tenant_a, role=Role.MEMBER, superuser=True)
    await in_group(cast.tenant_a, "Readers", boss)
    await set_mapping(gql, cast.admin_a, cast.tenant_a.id, "Readers", "GUEST")
    fresh = await User.get(id=boss.id)
    assert (fresh.role, fresh.superuser) == (Role.MEMBER, True)


async def test_a_mapping_that_would_demote_the_last_admin_changes_nothing(gql, cast):
    await User.filter(id=cast.superuser.user.id).update(role=Role.MEMBER)  # alice: the last
    await in_group(cast.tenant_a, "Staff", cast.admin_a.user, cast.guest_a.user)
    answer = await set_mapping(gql, cast.admin_a, cast.tenant_a.id, "Staff", "MEMBER")
    assert answer["__typename"] == "LastAdmin"
    assert await role_of(cast.admin_a) is Role.ADMIN
    assert await role_of(cast.guest_a) is Role.GUEST
    assert await GroupRoleMapping.all().count() == 0


async def test_role_changes_by_a_mapping_are_audited(gql, cast):
    await in_group(cast.tenant_a, "Engineering", cast.member_a.user)
    await set_mapping(gql, cast.admin_a, cast.tenant_a.id, "Engineering", "ADMIN")
    event = await AuditEvent.get(action="user.updated", target_id=cast.member_a.id)
    assert event.changes["role"] == Role.ADMIN.value
    assert await AuditEvent.filter(action="group_role_mapping.set").count() == 1


@pytest.mark.parametrize("role", ["member", "guest"])
async def test_members_and_guests_may_not_map_groups(gql, cast, role):
    variables = {"input": {"tenantId": str(cast.tenant_a.id), "group": "G", "role": "ADMIN"}}
    result = await gql(SET_MAPPING, variables, as_=cast.by_role(role))
    assert result.codes == ["FORBIDDEN"]
    assert await GroupRoleMapping.all().count() == 0


async def test_another_tenants_admin_finds_no_such_tenant(gql, cast):
    answer = await set_mapping(gql, cast.admin_b, cast.tenant_a.id, "G", "ADMIN")
    assert answer["__typename"] == "NotFound"
    result = await gql(MAPPINGS, {"tenantId": str(cast.tenant_a.id)}, as_=cast.admin_b)
    assert result.codes == ["NOT_FOUND"]


async def test_an_anonymous_caller_is_unauthenticated(gql, cast):
    variables = {"input": {"tenantId": str(cast.tenant_a.id), "group": "G", "role": "ADMIN"}}
    assert (await gql(SET_MAPPING, variables)).codes == ["UNAUTHENTICATED"]


async def test_a_request_made_with_an_api_token_may_not_map_groups(gql, cast, make):
    token = await token_of(make, cast.admin_a)
    variables = {"input": {"tenantId": str(cast.tenant_a.id), "group": "G", "role": "ADMIN"}}
    refused_as_a_token_request(await gql(SET_MAPPING, variables, token=token))
    assert await GroupRoleMapping.all().count() == 0


@pytest.mark.parametrize("group", ["", "   ", "x" * 257, "bad\u0000name"])
async def test_a_bad_group_name_is_a_validation_error(gql, cast, group):
    answer = await set_mapping(gql, cast.admin_a, cast.tenant_a.id, group, "ADMIN")
    assert answer["__typename"] == "ValidationError"
    assert answer["field"] == "group"
    assert await GroupRoleMapping.all().count() == 0


async def test_a_user_shows_their_groups_and_external_id(gql, cast):
    await in_group(cast.tenant_a, "Engineering", cast.member_a.user)
    await User.filter(id=cast.member_a.user.id).update(external_id="00u1", saml_groups=["Ops"])
    user = (await gql(USER, {"id": cast.member_a.id}, as_=cast.admin_a)).ok()["user"]
    assert user == {"role": "MEMBER", "externalId": "00u1", "groups": ["Engineering", "Ops"]}


@pytest.mark.parametrize("role", ["guest", "member"])
async def test_guests_and_members_cannot_list_the_mappings(gql, cast, role):
    result = await gql(MAPPINGS, {"tenantId": str(cast.tenant_a.id)}, as_=cast.by_role(role))
    assert result.codes == ["FORBIDDEN"]


async def test_a_superuser_lists_any_tenants_mappings(gql, cast):
    await set_mapping(gql, cast.admin_b, cast.tenant_b.id, "Ops", "MEMBER")
    listed = (await gql(MAPPINGS, {"tenantId": str(cast.tenant_b.id)}, as_=cast.superuser)).ok()
    assert listed["groupRoleMappings"][0]["group"] == "Ops"


async def test_an_anonymous_caller_cannot_list_the_mappings(gql, cast):
    result = await gql(MAPPINGS, {"tenantId": str(cast.tenant_a.id)})
    assert result.codes == ["UNAUTHENTICATED"]


async def test_a_request_made_with_an_api_token_cannot_list_the_mappings(gql, cast, make):
    token = await token_of(make, cast.admin_a)
    result = await gql(MAPPINGS, {"tenantId": str(cast.tenant_a.id)}, token=token)
    refused_as_a_token_request(result)


async def test_leaving_out_the_role_removes_the_mapping(gql, cast):
    await set_mapping(gql, cast.admin_a, cast.tenant_a.id, "Ops", "ADMIN")
    variables = {"input": {"tenantId": str(cast.tenant_a.id), "group": "ops"}}
    answer = (await gql(SET_MAPPING, variables, as_=cast.admin_a)).payload("setGroupRoleMapping")
    assert answer == {"__typename": "GroupRoleMappingsPayload", "mappings": []}
    assert await AuditEvent.filter(action="group_role_mapping.removed").count() == 1
