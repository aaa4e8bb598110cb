"""/scim/v2/{tenant}/Groups (issue 15 part 1): groups and their members; a user's role is
the highest role mapped to their groups, recomputed on every membership change, never
granting the superuser bit and never leaving the tenant without an active admin."""

from __future__ import annotations

from domain.group_roles import set_group_role_mapping
from domain.users import actor_of
from models import AuditEvent, GroupMembership, Role, ScimGroup, User

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def new_group(name: str = "Engineering", *members: str, external_id: str = "g1") -> dict:
    return {
        "schemas": [GROUP_SCHEMA],
        "displayName": name,
        "externalId": external_id,
        "members": [{"value": member} for member in members],
    }


def patch(*operations: dict) -> dict:
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}


async def created(scim, name: str = "Engineering", *members: str) -> dict:
    response = await scim.call("POST", "/Groups", new_group(name, *members))
    assert response.status_code == 201, response.text
    return response.json()


async def mapped(cast, group: str, role: Role | None) -> None:
    await set_group_role_mapping(actor_of(cast.admin_a.user), str(cast.tenant_a.id), group, role)


async def role_of(person) -> Role:
    return (await User.get(id=person.user.id)).role


async def test_creating_a_group_with_members(scim, cast):
    response = await scim.call("POST", "/Groups", new_group("Engineering", cast.member_a.id))
    assert response.status_code == 201
    body = response.json()
    assert body["displayName"] == "Engineering"
    assert body["externalId"] == "g1"
    assert [m["value"] for m in body["members"]] == [cast.member_a.id]
    assert response.headers["location"].endswith(f"/Groups/{body['id']}")
    assert await AuditEvent.filter(action="group.created", target_id=body["id"]).exists()


async def test_a_taken_display_name_is_a_uniqueness_error(scim):
    await created(scim, "Engineering")
    response = await scim.call("POST", "/Groups", new_group("engineering"))
    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"


async def test_a_member_of_another_tenant_is_refused_with_nothing_created(scim, cast):
    response = await scim.call("POST", "/Groups", new_group("Engineering", cast.member_b.id))
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert await ScimGroup.all().count() == 0


async def test_getting_and_listing_groups(scim, cast):
    body = await created(scim, "Engineering", cast.member_a.id)
    await created(scim, "Sales")
    got = (await scim.call("GET", f"/Groups/{body['id']}")).json()
    assert got["displayName"] == "Engineering"
    listed = (await scim.call("GET", "/Groups", filter='displayName eq "engineering"')).json()
    assert [g["id"] for g in listed["Resources"]] == [body["id"]]
    everything = (await scim.call("GET", "/Groups", excludedAttributes="members")).json()
    assert everything["totalResults"] == 2
    assert all("members" not in g for g in everything["Resources"])


async def test_a_user_lists_their_groups(scim, cast):
    body = await created(scim, "Engineering", cast.member_a.id)
    user = (await scim.call("GET", f"/Users/{cast.member_a.id}")).json()
    assert [(g["value"], g["display"]) for g in user["groups"]] == [(body["id"], "Engineering")]


async def test_a_group_of_another_tenant_is_not_found(scim, cast):
    other = await ScimGroup.create(tenant=cast.tenant_b, display_name="X", name_key="x")
    assert (await scim.call("GET", f"/Groups/{other.id}")).status_code == 404


async def test_patch_adds_and_removes_members(scim, cast):
    body = await created(scim, "Engineering", cast.member_a.id)
    response = await scim.call("PATCH", f"/Groups/{body['id']}", patch(
        {"op": "add", "path": "members", "value": [{"value": cast.guest_a.id}]},
        {"op": "remove", "path": f'members[value eq "{cast.member_a.id}"]'},
    ))  # fmt: skip
    assert response.status_code == 204, response.text
    members = await GroupMembership.filter(group_id=body["id"]).values_list("user_id", flat=True)
    assert members == [cast.guest_a.user.id]
    assert await AuditEvent.filter(action="group.members_changed").exists()


async def test_patch_renames_a_group(scim):
    body = await created(scim, "Engineering")
    await scim.call("PATCH", f"/Groups/{body['id']}", patch(
        {"op": "replace", "value": {"id": body["id"], "displayName": "R&D"}}
    ))  # fmt: skip
    assert (await ScimGroup.get(id=body["id"])).display_name == "R&D"


async def test_joining_a_mapped_group_sets_the_role(scim, cast):
    await mapped(cast, "Admins", Role.ADMIN)
    body = await created(scim, "Admins")
    await scim.call("PATCH", f"/Groups/{body['id']}", patch(
        {"op": "add", "path": "members", "value": [{"value": cast.member_a.id}]}
    ))  # fmt: skip
    assert await role_of(cast.member_a) is Role.ADMIN


async def test_the_role_is_the_highest_of_the_mapped_groups(scim, cast):
    await mapped(cast, "Readers", Role.GUEST)
    await mapped(cast, "Admins", Role.ADMIN)
    await created(scim, "Readers", cast.member_a.id)
    assert await role_of(cast.member_a) is Role.GUEST
    admins = await created(scim, "Admins", cast.member_a.id)
    assert await role_of(cast.member_a) is Role.ADMIN
    await scim.call("DELETE", f"/Groups/{admins['id']}")
    assert await role_of(cast.member_a) is Role.GUEST


async def test_leaving_every_mapped_group_falls_to_member(scim, cast):
    await mapped(cast, "Admins", Role.ADMIN)
    body = await created(scim, "Admins", cast.guest_a.id)
    assert await role_of(cast.guest_a) is Role.ADMIN
    await scim.call("PATCH", f"/Groups/{body['id']}", patch(
        {"op": "remove", "path": "members", "value": [{"value": cast.guest_a.id}]}
    ))  # fmt: skip
    assert await role_of(cast.guest_a) is Role.MEMBER


async def test_groups_never_grant_the_superuser_bit_nor_change_a_superusers_role(scim, cast):
    await mapped(cast, "Readers", Role.GUEST)
    await created(scim, "Readers", cast.superuser.id, cast.member_a.id)
    superuser = await User.get(id=cast.superuser.user.id)
    assert (superuser.superuser, superuser.role) == (True, Role.ADMIN)
    assert not await User.filter(id=cast.member_a.user.id, superuser=True).exists()


async def test_removing_the_last_admin_from_the_admins_group_is_refused(scim, cast):
    await User.filter(id=cast.superuser.user.id).update(role=Role.MEMBER)
    await mapped(cast, "Admins", Role.ADMIN)
    body = await created(scim, "Admins", cast.admin_a.id)
    response = await scim.call("PATCH", f"/Groups/{body['id']}", patch(
        {"op": "remove", "path": f'members[value eq "{cast.admin_a.id}"]'}
    ))  # fmt: skip
    assert response.status_code == 400
    assert response.json()["scimType"] == "mutability"
    assert await role_of(cast.admin_a) is Role.ADMIN
    assert await GroupMembership.filter(group_id=body["id"]).count() == 1


async def test_deleting_the_group_of_the_last_admin_is_refused(scim, cast):
    await User.filter(id=cast.superuser.user.id).update(role=Role.MEMBER)
    await mapped(cast, "Admins", Role.ADMIN)
    body = await created(scim, "Admins", cast.admin_a.id)
    response = await scim.call("DELETE", f"/Groups/{body['id']}")
    assert response.status_code == 400
    assert await ScimGroup.filter(id=body["id"]).exists()
    assert await role_of(cast.admin_a) is Role.ADMIN


async def test_deleting_a_group(scim, cast):
    body = await created(scim, "Engineering", cast.member_a.id)
    assert (await scim.call("DELETE", f"/Groups/{body['id']}")).status_code == 204
    assert (await scim.call("GET", f"/Groups/{body['id']}")).status_code == 404
    assert not await GroupMembership.all().exists()
    assert await AuditEvent.filter(action="group.deleted").exists()


async def test_put_replaces_name_and_members(scim, cast):
    body = await created(scim, "Engineering", cast.member_a.id)
    replaced = new_group("Platform", cast.guest_a.id, external_id="g2")
    response = await scim.call("PUT", f"/Groups/{body['id']}", replaced)
    assert response.status_code == 200, response.text
    assert response.json()["displayName"] == "Platform"
    assert [m["value"] for m in response.json()["members"]] == [cast.guest_a.id]


async def test_a_users_groups_show_in_graphql(scim, gql, cast):
    await created(scim, "Engineering", cast.member_a.id)
    query = "query($id: ID!) { user(id: $id) { groups } }"
    user = (await gql(query, {"id": cast.member_a.id}, as_=cast.admin_a)).ok()["user"]
    assert user["groups"] == ["Engineering"]
