"""The request sequences Okta and Microsoft Entra ID send when a user is assigned, renamed,
suspended and unassigned, and when groups are pushed, replayed with scim2-client (which
also checks every answer against the schemas the server publishes). Payloads are the
IdPs' own shapes, as their SCIM documentation shows them, sent as-is."""

from __future__ import annotations

from scim2_models import Context, Group, ListResponse, User

from domain.group_roles import set_group_role_mapping
from domain.users import actor_of
from models import Role
from models import User as UserRow

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def as_sent(path: str) -> dict:
    """The payload goes out exactly as written (no client-side model), to this endpoint; the
    answer comes back as JSON, read with the model by `read`."""
    return {"check_request_payload": False, "url": path}


def read(model, answer):
    if not isinstance(answer, dict):
        # A PATCH answer is read by the client itself, with the model it built from the
        # server's published schema.
        return answer
    return model.model_validate(answer, scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


async def find(idp, expression: str, model=User) -> ListResponse:
    return await idp.query(
        model, query_parameters={"filter": expression, "startIndex": 1, "count": 100}
    )


def patch(*operations: dict) -> dict:
    return {"schemas": [PATCH], "Operations": list(operations)}


async def row(user_id: str) -> UserRow:
    return await UserRow.get(id=user_id)


# ---------------------------------------------------------------- Okta


def okta_user(email: str, first: str = "Ana", last: str = "Lima", **more) -> dict:
    return {
        "schemas": [USER],
        "userName": email,
        "name": {"givenName": first, "familyName": last},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": f"{first} {last}",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "active": True,
        **more,
    }


async def okta_assign(idp, email: str = "ana@acme.example") -> User:
    """Okta looks the user up by userName, then creates them."""
    assert (await find(idp, f'userName eq "{email}"')).total_results == 0
    return read(User, await idp.create(User, okta_user(email), **as_sent("/Users")))


async def test_okta_assigning_a_user_creates_them(idp):
    created = await okta_assign(idp)
    assert (created.user_name, created.active) == ("ana@acme.example", True)
    again = await find(idp, 'userName eq "ana@acme.example"')
    assert [u.id for u in again.resources] == [created.id]
    assert (await row(created.id)).external_id == "00ujl29u0le5T6Aj10h7"


async def test_okta_renaming_a_user_replaces_them(idp):
    created = await okta_assign(idp)
    fetched = await idp.query(User, created.id)
    renamed = okta_user("ana.lima@acme.example", first="Ana Maria", id=fetched.id)
    replaced = read(User, await idp.replace(User, renamed, **as_sent(f"/Users/{created.id}")))
    assert replaced.user_name == "ana.lima@acme.example"
    user = await row(created.id)
    assert (user.email, user.username) == ("ana.lima@acme.example", "ana.lima")


async def test_okta_suspending_a_user_deactivates_them(idp, make):
    created = await okta_assign(idp)
    await make.project(await row(created.id))  # what they own stays theirs
    answer = read(
        User,
        await idp.modify(
            User,
            created.id,
            patch({"op": "replace", "value": {"active": False}}),
            **as_sent(f"/Users/{created.id}"),
        ),
    )
    assert answer.active is False
    assert (await row(created.id)).deactivated_at is not None


async def test_okta_unsuspending_a_user_reactivates_them(idp):
    created = await okta_assign(idp)
    await idp.modify(
        User,
        created.id,
        patch({"op": "replace", "value": {"active": False}}),
        **as_sent(f"/Users/{created.id}"),
    )
    await idp.modify(
        User,
        created.id,
        patch({"op": "replace", "value": {"active": True}}),
        **as_sent(f"/Users/{created.id}"),
    )
    assert (await row(created.id)).deactivated_at is None


async def test_okta_unassigning_a_user_deactivates_them(idp):
    created = await okta_assign(idp)
    await idp.modify(
        User,
        created.id,
        patch({"op": "replace", "value": {"active": False}}),
        **as_sent(f"/Users/{created.id}"),
    )
    listed = await find(idp, 'userName eq "ana@acme.example"')
    assert listed.resources[0].active is False


async def test_okta_group_push_maps_members_to_roles(idp, cast):
    await set_group_role_mapping(
        actor_of(cast.admin_a.user), str(cast.tenant_a.id), "Tenantry Admins", Role.ADMIN
    )
    user = await okta_assign(idp)
    group = read(
        Group,
        await idp.create(
            Group,
            {"schemas": [GROUP], "displayName": "Tenantry Admins", "members": []},
            **as_sent("/Groups"),
        ),
    )
    await idp.modify(Group, group.id, patch({
        "op": "add", "path": "members",
        "value": [{"value": user.id, "display": "ana@acme.example"}],
    }), **as_sent(f"/Groups/{group.id}"))  # fmt: skip
    assert (await row(user.id)).role is Role.ADMIN
    await idp.modify(Group, group.id, patch(
        {"op": "replace", "value": {"id": group.id, "displayName": "Tenantry Readers"}}
    ), **as_sent(f"/Groups/{group.id}"))  # fmt: skip
    assert (await row(user.id)).role is Role.MEMBER
    await idp.modify(Group, group.id, patch(
        {"op": "remove", "path": f'members[value eq "{user.id}"]'}
    ), **as_sent(f"/Groups/{group.id}"))  # fmt: skip
    assert (await idp.query(Group, group.id)).members is None
    await idp.delete(Group, group.id)
    assert (await find(idp, 'displayName eq "Tenantry Readers"', Group)).total_results == 0


# ---------------------------------------------------------------- Microsoft Entra ID


def entra_user(
    upn: str, mail: str, external_id: str = "58342554-38d6-4ec8-948c-50044d0a33fd"
) -> dict:
    return {
        "schemas": [USER, ENTERPRISE],
        "externalId": external_id,
        "userName": upn,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": mail}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Nia Okafor", "familyName": "Okafor", "givenName": "Nia"},
        "roles": [],
        ENTERPRISE: {"department": "Finance", "employeeNumber": "42"},
    }


async def entra_assign(idp, upn: str = "nia@acme.example") -> User:
    """Entra ID matches on userName first; with no match it creates the user."""
    assert (await find(idp, f'userName eq "{upn}"')).total_results == 0
    return read(User, await idp.create(User, entra_user(upn, upn), **as_sent("/Users")))


async def test_entra_assigning_a_user_creates_them(idp):
    created = await entra_assign(idp)
    assert created.user_name == "nia@acme.example"
    by_external_id = await find(idp, 'externalId eq "58342554-38d6-4ec8-948c-50044d0a33fd"')
    assert [u.id for u in by_external_id.resources] == [created.id]


async def test_entra_renaming_a_user_patches_user_name_and_address(idp):
    created = await entra_assign(idp)
    new = "nia.okafor@acme.example"
    await idp.modify(User, created.id, patch(
        {"op": "Replace", "path": "userName", "value": new},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": new},
        {"op": "Replace", "path": "name.familyName", "value": "Okafor-Bell"},
        {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Treasury"},
    ), **as_sent(f"/Users/{created.id}"))  # fmt: skip
    user = await row(created.id)
    assert (user.scim_user_name, user.email) == (
        "nia.okafor@acme.example",
        "nia.okafor@acme.example",
    )
    found = await find(idp, 'emails[type eq "work"].value eq "nia.okafor@acme.example"')
    assert [u.id for u in found.resources] == [created.id]


async def test_entra_disabling_a_user_sends_active_as_the_string_false(idp):
    created = await entra_assign(idp)
    await idp.modify(
        User,
        created.id,
        patch({"op": "Replace", "path": "active", "value": "False"}),
        **as_sent(f"/Users/{created.id}"),
    )
    assert (await row(created.id)).deactivated_at is not None


async def test_entra_unassigning_a_user_disables_then_deletes_them(idp):
    created = await entra_assign(idp)
    await idp.modify(
        User,
        created.id,
        patch({"op": "Replace", "path": "active", "value": "False"}),
        **as_sent(f"/Users/{created.id}"),
    )
    await idp.delete(User, created.id)
    assert not await UserRow.filter(id=created.id).exists()
    assert (await find(idp, 'userName eq "nia@acme.example"')).total_results == 0


async def test_entra_deleting_a_user_who_owns_projects_deactivates_them(idp, make):
    created = await entra_assign(idp)
    await make.project(await row(created.id))
    await idp.delete(User, created.id)
    assert (await row(created.id)).deactivated_at is not None


async def test_entra_group_provisioning_with_excluded_members(idp, cast):
    await set_group_role_mapping(
        actor_of(cast.admin_a.user), str(cast.tenant_a.id), "Finance Admins", Role.ADMIN
    )
    user = await entra_assign(idp)
    lookup = await idp.query(Group, query_parameters={
        "excludedAttributes": "members", "filter": 'displayName eq "Finance Admins"'})  # fmt: skip
    assert lookup.total_results == 0
    group = read(Group, await idp.create(Group, {
        "schemas": [GROUP], "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "Finance Admins", "meta": {"resourceType": "Group"}, "members": [],
    }, **as_sent("/Groups")))  # fmt: skip
    await idp.modify(Group, group.id, patch(
        {"op": "Add", "path": "members", "value": [{"value": user.id}]}
    ), **as_sent(f"/Groups/{group.id}"))  # fmt: skip
    assert (await row(user.id)).role is Role.ADMIN
    member = await idp.query(Group, query_parameters={
        "filter": f'id eq "{group.id}" and members eq "{user.id}"',
        "excludedAttributes": "members"})  # fmt: skip
    assert member.total_results == 1
    await idp.modify(Group, group.id, patch(
        {"op": "Remove", "path": "members", "value": [{"value": user.id}]}
    ), **as_sent(f"/Groups/{group.id}"))  # fmt: skip
    assert (await row(user.id)).role is Role.MEMBER
