"""Bad input to the SCIM endpoint answers a SCIM error (4xx, scimType where one applies) and
changes nothing; never a 500."""

from __future__ import annotations

import pytest

from models import AuditEvent, User

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


def ops(*operations) -> dict:
    return {"schemas": [PATCH], "Operations": list(operations)}


BAD_USER_PATCHES = [
    ops({"op": "replace", "path": "emails", "value": "not a list"}),
    ops({"op": "replace", "path": "active", "value": "maybe"}),
    ops({"op": "replace", "path": "userName", "value": ""}),
    ops({"op": "replace", "path": "userName", "value": "x" * 300}),
    ops({"op": "replace", "path": "userName", "value": "bad\u0000name"}),
    ops({"op": "replace", "path": 'emails[type eq "work"].value', "value": "not-an-address"}),
    ops({"op": "remove", "path": "userName"}),
    ops({"op": "replace", "path": "id", "value": "00000000-0000-0000-0000-000000000000"}),
    ops({"op": "add", "path": "groups", "value": [{"value": "x"}]}),
    ops({"op": "replace", "path": "emails[type eq", "value": "x"}),
    ops({"op": "remove"}),
    {"schemas": [PATCH]},
    {"schemas": [PATCH], "Operations": "nope"},
    [],
    "a string",
]


@pytest.mark.parametrize("body", BAD_USER_PATCHES)
async def test_a_bad_user_patch_is_a_scim_error_and_changes_nothing(scim, cast, body):
    before = await User.get(id=cast.member_a.user.id)
    response = await scim.call("PATCH", f"/Users/{cast.member_a.id}", body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    after = await User.get(id=cast.member_a.user.id)
    assert (after.username, after.email, after.deactivated_at, after.external_id) == (
        before.username, before.email, before.deactivated_at, before.external_id
    )  # fmt: skip
    assert not await AuditEvent.filter(target_id=cast.member_a.id).exists()


BAD_USERS = [
    {"schemas": [USER]},
    {"schemas": [USER], "userName": 42},
    {"schemas": [USER], "userName": "a@b.example", "emails": [{"value": 7}]},
    {"schemas": [USER], "userName": "a@b.example", "active": "perhaps"},
    {"schemas": [USER], "userName": "a@b.example", "externalId": "e" * 300},
    {"schemas": [GROUP], "displayName": "x"},
    [],
]


@pytest.mark.parametrize("body", BAD_USERS)
async def test_a_bad_new_user_is_a_scim_error_and_creates_nobody(scim, body):
    count = await User.all().count()
    response = await scim.call("POST", "/Users", body)
    assert 400 <= response.status_code < 500, response.text
    assert await User.all().count() == count


BAD_GROUPS = [
    {"schemas": [GROUP]},
    {"schemas": [GROUP], "displayName": ""},
    {"schemas": [GROUP], "displayName": "g", "members": [{"value": "not-an-id"}]},
    {"schemas": [GROUP], "displayName": "g", "members": "everyone"},
]


@pytest.mark.parametrize("body", BAD_GROUPS)
async def test_a_bad_new_group_is_a_scim_error(scim, body):
    response = await scim.call("POST", "/Groups", body)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize(
    "params",
    [{"startIndex": "x"}, {"count": "-5"}, {"filter": "(((("}, {"filter": "members[value eq 1]"},
     {"filter": 'id eq "x" and members eq "not-a-uuid"'}, {"count": "999999999999999999999"}],
)  # fmt: skip
async def test_odd_list_parameters_never_fail_the_server(scim, params):
    for path in ("/Users", "/Groups"):
        response = await scim.call("GET", path, **params)
        assert response.status_code < 500, response.text


async def test_an_unknown_path_under_the_endpoint_is_not_found(scim):
    assert (await scim.call("GET", "/Bulk")).status_code == 404
    assert (await scim.call("GET", "/ResourceTypes/Printer")).status_code == 404
    assert (await scim.call("GET", "/Schemas/urn:x")).status_code == 404


async def test_an_error_never_repeats_the_value_sent(scim, cast):
    secret = "a-password-that-must-not-echo"
    responses = [
        await scim.call("GET", "/Users", filter=f'emails.value eq "{secret}"'),
        await scim.call("PATCH", f"/Users/{cast.member_a.id}",
                        ops({"op": "replace", "path": "active", "value": secret})),
        await scim.call("PATCH", f"/Users/{cast.member_a.id}",
                        ops({"op": "replace", "path": "password", "value": {"x": secret}})),
    ]  # fmt: skip
    for response in responses:
        assert 400 <= response.status_code < 500, response.text
        assert secret not in response.text
