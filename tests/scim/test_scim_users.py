"""/scim/v2/{tenant}/Users (issue 15 part 1): an identity provider creates, reads, lists,
replaces, patches and removes the tenant's users over HTTP, with its tenant's SCIM token."""

from __future__ import annotations

import pytest

from domain.validation import key
from models import AuditEvent, AuthMethod, Role, Session, User
from tests.scim.conftest import SCIM_JSON, new_scim_token

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def new_user(user_name: str = "ana@acme.example", external_id: str = "00u1", **more) -> dict:
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "externalId": external_id,
        "name": {"givenName": "Ana", "familyName": "Lima"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
        **more,
    }


def patch(*operations: dict) -> dict:
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}


async def created(scim, **kwargs) -> dict:
    response = await scim.call("POST", "/Users", new_user(**kwargs))
    assert response.status_code == 201, response.text
    return response.json()


# ---------------------------------------------------------------- create and read


async def test_creating_a_user_answers_the_scim_resource(scim):
    response = await scim.call("POST", "/Users", new_user())
    assert response.status_code == 201
    assert response.headers["content-type"].startswith(SCIM_JSON)
    body = response.json()
    assert body["userName"] == "ana@acme.example"
    assert body["externalId"] == "00u1"
    assert body["active"] is True
    assert body["emails"] == [{"value": "ana@acme.example", "type": "work", "primary": True}]
    assert response.headers["location"] == body["meta"]["location"]
    assert body["meta"]["location"].endswith(f"/scim/v2/acme/Users/{body['id']}")


async def test_a_created_user_gets_a_username_from_the_user_name_and_the_member_role(scim):
    body = await created(scim)
    user = await User.get(id=body["id"])
    assert (user.username, user.email, user.role) == ("ana", "ana@acme.example", Role.MEMBER)
    assert (user.external_id, user.superuser, user.email_verified) == ("00u1", False, True)
    assert user.auth_method is AuthMethod.PASSWORD


async def test_creating_a_user_is_audited_as_the_scim_token(scim):
    body = await created(scim)
    event = await AuditEvent.get(action="user.provisioned", target_id=body["id"])
    assert event.actor_id is None
    assert event.actor_name.startswith("SCIM token scim_")


async def test_a_taken_user_name_is_a_uniqueness_error(scim):
    await created(scim)
    response = await scim.call("POST", "/Users", new_user(external_id="other"))
    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


async def test_an_address_taken_by_an_existing_user_is_a_uniqueness_error(scim, cast):
    response = await scim.call("POST", "/Users", new_user(user_name=cast.member_a.user.email))
    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"


async def test_a_user_without_an_address_is_refused_with_nothing_created(scim):
    body = new_user(user_name="ana")
    del body["emails"]
    response = await scim.call("POST", "/Users", body)
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert not await User.filter(username="ana").exists()


async def test_a_body_that_is_not_json_is_invalid_syntax(scim):
    response = await scim.http.post(
        scim.base + "/Users",
        content=b"{not json",
        headers={"Authorization": f"Bearer {scim.token}", "Content-Type": SCIM_JSON},
    )
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidSyntax"


async def test_getting_a_user_of_the_tenant(scim, cast):
    response = await scim.call("GET", f"/Users/{cast.member_a.id}")
    assert response.status_code == 200
    assert response.json()["userName"] == cast.member_a.user.username


async def test_a_user_of_another_tenant_is_not_found(scim, cast):
    response = await scim.call("GET", f"/Users/{cast.member_b.id}")
    assert response.status_code == 404
    assert response.json()["status"] == "404"


async def test_a_malformed_id_is_not_found(scim):
    assert (await scim.call("GET", "/Users/not-an-id")).status_code == 404


# ---------------------------------------------------------------- list and filter


async def test_listing_pages_with_start_index_and_count(scim, cast):
    first = (await scim.call("GET", "/Users", startIndex=1, count=2)).json()
    second = (await scim.call("GET", "/Users", startIndex=3, count=2)).json()
    assert first["totalResults"] == 4  # root, alice, mallory, gus
    assert (first["itemsPerPage"], first["startIndex"]) == (2, 1)
    assert (second["itemsPerPage"], second["startIndex"]) == (2, 3)
    ids = {r["id"] for r in first["Resources"] + second["Resources"]}
    assert len(ids) == 4
    assert cast.member_b.id not in ids


async def test_count_zero_answers_only_the_total(scim):
    body = (await scim.call("GET", "/Users", count=0)).json()
    assert (body["totalResults"], body.get("Resources", [])) == (4, [])


@pytest.mark.parametrize(
    "expression",
    [
        'userName eq "ANA@acme.example"',
        'emails[type eq "work"].value eq "ana@acme.example"',
        'emails[type eq "work" and value eq "Ana@Acme.example"]',
        'externalId eq "00u1"',
        'externalId eq "00u1" and active eq true',
        'userName eq "nobody" or externalId eq "00u1"',
        'emails.value eq "ana@acme.example"',
    ],
)
async def test_a_filter_finds_the_provisioned_user(scim, expression):
    body = await created(scim)
    found = (await scim.call("GET", "/Users", filter=expression)).json()
    assert found["totalResults"] == 1, found
    assert found["Resources"][0]["id"] == body["id"]


@pytest.mark.parametrize(
    "expression",
    [
        'externalId eq "00U1"',
        'userName eq "ana"',
        'emails[type eq "home"].value eq "ana@acme.example"',
        'externalId eq "00u1" and active eq false',
    ],
)
async def test_a_filter_that_matches_nobody_answers_an_empty_list(scim, expression):
    await created(scim)
    found = (await scim.call("GET", "/Users", filter=expression)).json()
    assert found["totalResults"] == 0


async def test_a_user_name_filter_finds_a_user_made_in_tenantry_by_username(scim, cast):
    found = (await scim.call("GET", "/Users", filter='userName eq "Mallory"')).json()
    assert [r["id"] for r in found["Resources"]] == [cast.member_a.id]


@pytest.mark.parametrize("expression", ["userName eq", 'title eq "x"', 'userName gt "a"'])
async def test_a_bad_or_unsupported_filter_is_invalid_filter(scim, expression):
    response = await scim.call("GET", "/Users", filter=expression)
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"


# ---------------------------------------------------------------- replace and patch


async def test_put_replaces_the_user_name_address_and_external_id(scim):
    body = await created(scim)
    replaced = new_user(user_name="ana.lima@acme.example", external_id="00u9")
    response = await scim.call("PUT", f"/Users/{body['id']}", {**replaced, "id": body["id"]})
    assert response.status_code == 200, response.text
    user = await User.get(id=body["id"])
    assert (user.scim_user_name, user.email, user.external_id) == (
        "ana.lima@acme.example",
        "ana.lima@acme.example",
        "00u9",
    )
    assert user.username == "ana.lima"


async def test_patch_replaces_an_address_by_a_filtered_path(scim):
    body = await created(scim)
    response = await scim.call(
        "PATCH",
        f"/Users/{body['id']}",
        patch(
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "ana@new.example"}
        ),
    )
    assert response.status_code == 200, response.text
    assert (await User.get(id=body["id"])).email == "ana@new.example"


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "evil@attacker.example"},
        {"op": "replace", "value": {"userName": "evil@attacker.example"}},
    ],
)
async def test_the_identity_of_a_password_user_scim_did_not_create_is_not_changed(
    scim, cast, operation
):
    # Else the provisioning token would mail itself the admin's password reset link.
    before = await User.get(id=cast.admin_a.id)
    response = await scim.call("PATCH", f"/Users/{cast.admin_a.id}", patch(operation))
    assert response.status_code == 403, response.text
    after = await User.get(id=cast.admin_a.id)
    assert (after.email, after.username) == (before.email, before.username)


async def test_the_external_id_of_a_user_scim_did_not_create_may_be_set(scim, cast):
    response = await scim.call(
        "PATCH", f"/Users/{cast.admin_a.id}",
        patch({"op": "add", "path": "externalId", "value": "00u-admin"}),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert (await User.get(id=cast.admin_a.id)).external_id == "00u-admin"


async def test_patch_without_a_path_sets_the_attributes_it_carries(scim):
    body = await created(scim)
    response = await scim.call(
        "PATCH",
        f"/Users/{body['id']}",
        patch({"op": "replace", "value": {"userName": "ana2@acme.example", "externalId": "x2"}}),
    )
    assert response.status_code == 200, response.text
    assert response.json()["userName"] == "ana2@acme.example"
    assert (await User.get(id=body["id"])).external_id == "x2"


async def test_patch_add_and_remove_the_external_id(scim):
    body = await created(scim)
    await scim.call("PATCH", f"/Users/{body['id']}", patch({"op": "remove", "path": "externalId"}))
    assert (await User.get(id=body["id"])).external_id is None
    await scim.call(
        "PATCH", f"/Users/{body['id']}", patch({"op": "add", "path": "externalId", "value": "back"})
    )
    assert (await User.get(id=body["id"])).external_id == "back"


@pytest.mark.parametrize("value", ["False", "false", False])
async def test_active_false_deactivates_in_every_form_idps_send(scim, make, value):
    body = await created(scim)
    user = await User.get(id=body["id"])
    await make.project(user)
    response = await scim.call(
        "PATCH", f"/Users/{body['id']}", patch({"op": "Replace", "path": "active", "value": value})
    )
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    fresh = await User.get(id=body["id"])
    assert fresh.deactivated_at is not None
    assert await AuditEvent.filter(action="user.deactivated", target_id=body["id"]).exists()


async def test_deactivation_ends_the_users_sessions(scim, cast):
    await scim.call(
        "PATCH", f"/Users/{cast.member_a.id}", patch({"op": "replace", "value": {"active": False}})
    )
    assert not await Session.filter(user_id=cast.member_a.user.id).exists()


async def test_active_true_reactivates_a_deactivated_user(scim):
    body = await created(scim, active=False)
    assert (await User.get(id=body["id"])).deactivated_at is not None
    await scim.call(
        "PATCH", f"/Users/{body['id']}", patch({"op": "replace", "path": "active", "value": "True"})
    )
    assert (await User.get(id=body["id"])).deactivated_at is None


async def test_deactivating_the_last_admin_is_refused_and_changes_nothing(scim, cast):
    await User.filter(id=cast.superuser.user.id).update(role=Role.MEMBER)
    response = await scim.call(
        "PATCH",
        f"/Users/{cast.admin_a.id}",
        patch({"op": "replace", "path": "active", "value": False}),
    )
    assert response.status_code == 400
    assert response.json()["scimType"] == "mutability"
    assert (await User.get(id=cast.admin_a.user.id)).deactivated_at is None


async def test_a_superuser_is_not_changed_by_scim(scim, cast):
    response = await scim.call(
        "PATCH",
        f"/Users/{cast.superuser.id}",
        patch({"op": "replace", "path": "active", "value": False}),
    )
    assert response.status_code == 403
    assert (await User.get(id=cast.superuser.user.id)).deactivated_at is None


async def test_a_patch_with_a_bad_operation_is_refused(scim):
    body = await created(scim)
    response = await scim.call(
        "PATCH", f"/Users/{body['id']}", patch({"op": "explode", "path": "active"})
    )
    assert response.status_code == 400
    assert (await User.get(id=body["id"])).deactivated_at is None


# ---------------------------------------------------------------- delete


async def test_delete_removes_a_user_who_owns_nothing(scim):
    body = await created(scim)
    response = await scim.call("DELETE", f"/Users/{body['id']}")
    assert response.status_code == 204
    assert not await User.filter(id=body["id"]).exists()
    assert (await scim.call("GET", f"/Users/{body['id']}")).status_code == 404


async def test_delete_deactivates_a_user_who_owns_objects(scim, make):
    body = await created(scim)
    user = await User.get(id=body["id"])
    await make.project(user)
    await make.api_token(user)
    response = await scim.call("DELETE", f"/Users/{body['id']}")
    assert response.status_code == 204
    assert (await User.get(id=body["id"])).deactivated_at is not None
    assert (await scim.call("DELETE", f"/Users/{body['id']}")).status_code == 204


async def test_delete_never_removes_the_last_admin(scim, cast):
    await User.filter(id=cast.superuser.user.id).update(role=Role.MEMBER)
    response = await scim.call("DELETE", f"/Users/{cast.admin_a.id}")
    assert response.status_code == 400
    assert await User.filter(id=cast.admin_a.user.id, deactivated_at__isnull=True).exists()


# ---------------------------------------------------------------- the token


async def test_no_token_is_unauthorized(scim):
    response = await scim.http.get(scim.base + "/Users")
    assert response.status_code == 401
    assert response.json()["status"] == "401"


async def test_a_session_token_does_not_open_scim(scim, cast):
    assert (await scim.call("GET", "/Users", token=cast.admin_a.token)).status_code == 401


async def test_an_api_token_does_not_open_scim(scim, cast, make):
    _, secret = await make.api_token(cast.admin_a.user)
    assert (await scim.call("GET", "/Users", token=secret)).status_code == 401


async def test_another_tenants_scim_token_does_not_open_this_tenant(scim, cast):
    other = await new_scim_token(cast, "b")
    assert (await scim.call("GET", "/Users", token=other)).status_code == 401


async def test_a_revoked_token_is_unauthorized(scim, gql, cast):
    tokens = (
        await gql(
            "query($t: ID!) { scimTokens(tenantId: $t) { id lastUsedAt } }",
            {"t": str(cast.tenant_a.id)},
            as_=cast.admin_a,
        )
    ).ok()["scimTokens"]
    await scim.call("GET", "/Users")
    assert (
        await gql(
            "mutation($id: ID!) { revokeScimToken(id: $id) { __typename } }",
            {"id": tokens[0]["id"]},
            as_=cast.admin_a,
        )
    ).ok()
    assert (await scim.call("GET", "/Users")).status_code == 401


async def test_using_a_token_records_when(scim, gql, cast):
    await scim.call("GET", "/Users")
    tokens = (
        await gql(
            "query($t: ID!) { scimTokens(tenantId: $t) { lastUsedAt } }",
            {"t": str(cast.tenant_a.id)},
            as_=cast.admin_a,
        )
    ).ok()["scimTokens"]
    assert tokens[0]["lastUsedAt"] is not None


async def test_an_unknown_tenant_is_unauthorized(scim):
    scim.tenant = "nowhere"
    assert (await scim.call("GET", "/Users")).status_code == 401


# ---------------------------------------------------------------- discovery


async def test_the_service_provider_config_says_patch_and_filter_are_supported(scim):
    body = (await scim.call("GET", "/ServiceProviderConfig")).json()
    assert body["patch"]["supported"] is True
    assert body["filter"] == {"supported": True, "maxResults": 200}
    assert body["bulk"]["supported"] is False
    assert body["authenticationSchemes"][0]["type"] == "oauthbearertoken"


async def test_resource_types_and_schemas_name_users_and_groups(scim):
    types = (await scim.call("GET", "/ResourceTypes")).json()
    assert {r["endpoint"] for r in types["Resources"]} == {"/Users", "/Groups"}
    schemas = (await scim.call("GET", "/Schemas")).json()
    ids = {s["id"] for s in schemas["Resources"]}
    assert ids == {USER_SCHEMA, "urn:ietf:params:scim:schemas:core:2.0:Group"}
    one = await scim.call("GET", f"/Schemas/{USER_SCHEMA}")
    assert one.json()["id"] == USER_SCHEMA


async def test_a_sign_up_username_key_is_case_insensitive(scim):
    await created(scim)
    assert await User.filter(username_key=key("ANA")).exists()
