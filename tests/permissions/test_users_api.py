"""The contract's "who may do what" rows of the foundation, over HTTP, for every kind of
caller: anonymous, guest, member and admin of tenant A, the superuser (an admin of A), and
tenant B's admin."""

from __future__ import annotations

from enum import Enum

import pytest

from models import Role, User
from tests.factories import Cast, Factory, Person


class Caller(Enum):
    ANONYMOUS = "anonymous"
    GUEST = "guest"
    MEMBER = "member"
    ADMIN = "admin"
    SUPERUSER = "superuser"
    OTHER_ADMIN = "tenant-B admin"


SIGNED_IN = [c for c in Caller if c is not Caller.ANONYMOUS]


def person(cast: Cast, caller: Caller) -> Person | None:
    return {
        Caller.ANONYMOUS: None,
        Caller.GUEST: cast.guest_a,
        Caller.MEMBER: cast.member_a,
        Caller.ADMIN: cast.admin_a,
        Caller.SUPERUSER: cast.superuser,
        Caller.OTHER_ADMIN: cast.admin_b,
    }[caller]


def ids(values):  # pytest ids for Caller parameters
    return values.value if isinstance(values, Caller) else str(values)


async def snapshot() -> list[tuple]:
    """Everything a refused call could have changed about users."""
    rows = await User.all().order_by("id").values_list("id", "email", "role", "superuser")
    return [tuple(row) for row in rows]


async def a_member_of_acme(make: Factory, cast: Cast, name: str = "nina") -> User:
    return await make.user(cast.tenant_a, username=name, role=Role.MEMBER)


ME = "{ me { username } }"
USERS = """
query($tenantId: ID) {
  users(tenantId: $tenantId) { totalCount edges { node { username tenant { name } } } }
}
"""
USER = "query($id: ID!) { user(id: $id) { id username } }"
UPDATE_USER = """
mutation($input: UpdateUserInput!) {
  updateUser(input: $input) {
    __typename
    ... on UserPayload { user { id email pendingEmail role } }
    ... on Error { message }
  }
}
"""
SET_SUPERUSER = """
mutation($id: ID!, $on: Boolean!) {
  setSuperuser(userId: $id, superuser: $on) {
    __typename
    ... on UserPayload { user { id superuser } }
    ... on Error { message }
  }
}
"""
TENANTS = "{ tenants { name } }"
OWNED = """
query($id: ID!) {
  user(id: $id) { username ownedProjects { name } ownedTokens { name } }
}
"""

# ---------------------------------------------------------------- me


@pytest.mark.parametrize("caller", list(Caller), ids=ids)
async def test_me_is_the_caller_or_null_for_anonymous(gql, cast, caller):
    who = person(cast, caller)
    result = await gql(ME, as_=who)
    assert result.ok()["me"] == (None if who is None else {"username": who.user.username})


# ---------------------------------------------------------------- users

USERS_OF_ACME = {"root", "alice", "mallory", "gus"}
USERS_OF_GLOBEX = {"bianca", "bert"}


@pytest.mark.parametrize(
    ("caller", "code"),
    [(Caller.ANONYMOUS, "UNAUTHENTICATED"), (Caller.GUEST, "FORBIDDEN")],
    ids=ids,
)
async def test_anonymous_callers_and_guests_may_not_list_users(gql, cast, caller, code):
    result = await gql(USERS, as_=person(cast, caller))
    assert result.codes == [code]
    assert result.data is None or result.data.get("users") is None


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        (Caller.MEMBER, USERS_OF_ACME),
        (Caller.ADMIN, USERS_OF_ACME),
        (Caller.OTHER_ADMIN, USERS_OF_GLOBEX),
    ],
    ids=ids,
)
async def test_users_lists_the_callers_tenant_by_default(gql, cast, caller, expected):
    users = (await gql(USERS, as_=person(cast, caller))).ok()["users"]
    assert {edge["node"]["username"] for edge in users["edges"]} == expected
    assert users["totalCount"] == len(expected)


async def test_a_superuser_without_a_tenant_id_lists_every_tenants_users(gql, cast):
    users = (await gql(USERS, as_=cast.superuser)).ok()["users"]
    assert {edge["node"]["username"] for edge in users["edges"]} == USERS_OF_ACME | USERS_OF_GLOBEX
    assert users["totalCount"] == len(USERS_OF_ACME | USERS_OF_GLOBEX)
    tenants = {(e["node"]["username"], e["node"]["tenant"]["name"]) for e in users["edges"]}
    assert ("bianca", "globex") in tenants and ("alice", "acme") in tenants


async def test_a_superuser_lists_any_tenant_by_its_id(gql, cast):
    users = (await gql(USERS, {"tenantId": str(cast.tenant_b.id)}, as_=cast.superuser)).ok()[
        "users"
    ]
    assert {edge["node"]["username"] for edge in users["edges"]} == USERS_OF_GLOBEX
    assert {edge["node"]["tenant"]["name"] for edge in users["edges"]} == {"globex"}


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        (Caller.MEMBER, USERS_OF_ACME),
        (Caller.ADMIN, USERS_OF_ACME),
        (Caller.OTHER_ADMIN, USERS_OF_GLOBEX),
    ],
    ids=ids,
)
async def test_another_tenants_id_is_ignored_for_callers_who_are_not_superusers(
    gql, cast, caller, expected
):
    other = cast.tenant_a if caller is Caller.OTHER_ADMIN else cast.tenant_b
    users = (await gql(USERS, {"tenantId": str(other.id)}, as_=person(cast, caller))).ok()["users"]
    assert {edge["node"]["username"] for edge in users["edges"]} == expected


async def test_a_superuser_naming_an_unknown_tenant_gets_an_empty_list(gql, cast):
    for unknown in ["00000000-0000-0000-0000-000000000000", "not-an-id"]:
        users = (await gql(USERS, {"tenantId": unknown}, as_=cast.superuser)).ok()["users"]
        assert users == {"totalCount": 0, "edges": []}


# ---------------------------------------------------------------- user(id)


@pytest.mark.parametrize(
    ("caller", "visible", "codes"),
    [
        (Caller.ANONYMOUS, False, ["UNAUTHENTICATED"]),
        (Caller.GUEST, False, ["FORBIDDEN"]),
        (Caller.MEMBER, True, []),
        (Caller.ADMIN, True, []),
        (Caller.SUPERUSER, True, []),
        (Caller.OTHER_ADMIN, False, []),  # another tenant's user: like a missing one
    ],
    ids=ids,
)
async def test_user_by_id_of_another_user(gql, make, cast, caller, visible, codes):
    nina = await a_member_of_acme(make, cast)
    result = await gql(USER, {"id": str(nina.id)}, as_=person(cast, caller))
    assert result.codes == codes
    assert result.data.get("user") == (
        {"id": str(nina.id), "username": "nina"} if visible else None
    )


@pytest.mark.parametrize("caller", SIGNED_IN, ids=ids)
async def test_everyone_signed_in_reads_themself_by_id(gql, cast, caller):
    who = person(cast, caller)
    assert (await gql(USER, {"id": who.id}, as_=who)).ok()["user"]["username"] == who.user.username


async def test_a_user_of_another_tenant_answers_exactly_like_a_missing_one(gql, cast):
    other_tenant = await gql(USER, {"id": cast.member_b.id}, as_=cast.admin_a)
    missing = await gql(USER, {"id": "00000000-0000-0000-0000-000000000000"}, as_=cast.admin_a)
    malformed = await gql(USER, {"id": "nonsense"}, as_=cast.admin_a)
    assert other_tenant.body == missing.body == malformed.body == {"data": {"user": None}}


async def test_a_superuser_reads_users_of_any_tenant(gql, cast):
    result = await gql(USER, {"id": cast.member_b.id}, as_=cast.superuser)
    assert result.ok()["user"]["username"] == "bert"


# ---------------------------------------------------------------- updateUser of self (email)


@pytest.mark.parametrize("caller", SIGNED_IN, ids=ids)
async def test_everyone_signed_in_asks_for_their_own_email_to_change(gql, cast, smtp, caller):
    who = person(cast, caller)
    new = f"{who.user.username}.new@example.org"
    result = await gql(UPDATE_USER, {"input": {"id": who.id, "email": new}}, as_=who)
    assert result.payload("updateUser") == {
        "__typename": "UserPayload",
        "user": {"id": who.id, "email": who.user.email, "pendingEmail": new,
                 "role": who.user.role.name},
    }  # fmt: skip
    assert (await User.get(id=who.user.id)).pending_email == new


async def test_anonymous_callers_change_no_email(gql, cast):
    before = await snapshot()
    result = await gql(UPDATE_USER, {"input": {"id": cast.member_a.id, "email": "x@example.org"}})
    assert result.codes == ["UNAUTHENTICATED"]
    assert await snapshot() == before


# ---------------------------------------------------------------- updateUser role of others


@pytest.mark.parametrize(
    ("caller", "outcome"),
    [
        (Caller.ANONYMOUS, "UNAUTHENTICATED"),
        (Caller.GUEST, "FORBIDDEN"),
        (Caller.MEMBER, "FORBIDDEN"),
        (Caller.ADMIN, "UserPayload"),
        (Caller.SUPERUSER, "UserPayload"),
        (Caller.OTHER_ADMIN, "NotFound"),
    ],
    ids=ids,
)
async def test_changing_the_role_of_another_user(gql, make, cast, caller, outcome):
    nina = await a_member_of_acme(make, cast)
    before = await snapshot()
    result = await gql(
        UPDATE_USER, {"input": {"id": str(nina.id), "role": "GUEST"}}, as_=person(cast, caller)
    )
    if outcome in ("UNAUTHENTICATED", "FORBIDDEN"):
        assert result.codes == [outcome]
        assert result.data is None or result.data.get("updateUser") is None
    else:
        assert result.payload("updateUser")["__typename"] == outcome
    if outcome == "UserPayload":
        assert (await User.get(id=nina.id)).role is Role.GUEST
    else:
        assert await snapshot() == before


@pytest.mark.parametrize(
    ("caller", "outcome"),
    [(Caller.MEMBER, "FORBIDDEN"), (Caller.GUEST, "FORBIDDEN"), (Caller.ADMIN, "FORBIDDEN")],
    ids=ids,
)
async def test_only_tenant_admins_and_superusers_change_another_users_email(
    gql, cast, caller, outcome
):
    before = await snapshot()
    target = cast.member_a if caller is not Caller.MEMBER else cast.guest_a
    if caller is Caller.ADMIN:
        target = cast.superuser  # admins never touch superusers
    result = await gql(
        UPDATE_USER,
        {"input": {"id": target.id, "email": "taken.over@example.org"}},
        as_=person(cast, caller),
    )
    assert result.codes == [outcome]
    assert await snapshot() == before


async def test_an_admin_asks_for_another_users_email_to_change_in_their_tenant(gql, cast, smtp):
    result = await gql(
        UPDATE_USER, {"input": {"id": cast.member_a.id, "email": "m@example.org"}}, as_=cast.admin_a
    )
    assert result.payload("updateUser")["user"]["pendingEmail"] == "m@example.org"


async def test_an_admin_may_not_change_a_superusers_role(gql, cast):
    before = await snapshot()
    result = await gql(
        UPDATE_USER, {"input": {"id": cast.superuser.id, "role": "GUEST"}}, as_=cast.admin_a
    )
    assert result.codes == ["FORBIDDEN"]
    assert await snapshot() == before


async def test_a_superuser_changes_roles_in_any_tenant(gql, cast):
    result = await gql(
        UPDATE_USER, {"input": {"id": cast.member_b.id, "role": "ADMIN"}}, as_=cast.superuser
    )
    assert result.payload("updateUser")["user"]["role"] == "ADMIN"
    assert (await User.get(id=cast.member_b.user.id)).role is Role.ADMIN


@pytest.mark.parametrize(
    ("caller", "role"), [(Caller.GUEST, "MEMBER"), (Caller.MEMBER, "ADMIN")], ids=ids
)
async def test_nobody_raises_their_own_role(gql, cast, caller, role):
    who = person(cast, caller)
    before = await snapshot()
    result = await gql(UPDATE_USER, {"input": {"id": who.id, "role": role}}, as_=who)
    assert result.codes == ["FORBIDDEN"]
    assert await snapshot() == before


# ---------------------------------------------------------------- setSuperuser


@pytest.mark.parametrize(
    ("caller", "outcome"),
    [
        (Caller.ANONYMOUS, "UNAUTHENTICATED"),
        (Caller.GUEST, "FORBIDDEN"),
        (Caller.MEMBER, "FORBIDDEN"),
        (Caller.ADMIN, "FORBIDDEN"),
        (Caller.OTHER_ADMIN, "FORBIDDEN"),
        (Caller.SUPERUSER, "UserPayload"),
    ],
    ids=ids,
)
async def test_only_superusers_set_the_superuser_bit(gql, make, cast, caller, outcome):
    nina = await a_member_of_acme(make, cast)
    before = await snapshot()
    result = await gql(SET_SUPERUSER, {"id": str(nina.id), "on": True}, as_=person(cast, caller))
    if outcome == "UserPayload":
        assert result.payload("setSuperuser") == {
            "__typename": "UserPayload",
            "user": {"id": str(nina.id), "superuser": True},
        }
        assert (await User.get(id=nina.id)).superuser
    else:
        assert result.codes == [outcome]
        assert await snapshot() == before


@pytest.mark.parametrize("caller", [Caller.ADMIN, Caller.MEMBER, Caller.GUEST], ids=ids)
async def test_nobody_but_a_superuser_sets_their_own_superuser_bit(gql, cast, caller):
    who = person(cast, caller)
    result = await gql(SET_SUPERUSER, {"id": who.id, "on": True}, as_=who)
    assert result.codes == ["FORBIDDEN"]
    assert not (await User.get(id=who.user.id)).superuser


async def test_a_superuser_sets_the_bit_on_a_user_of_another_tenant(gql, cast):
    result = await gql(SET_SUPERUSER, {"id": cast.member_b.id, "on": True}, as_=cast.superuser)
    assert result.payload("setSuperuser")["user"]["superuser"] is True


async def test_setting_the_bit_on_an_unknown_user_is_not_found(gql, cast):
    result = await gql(
        SET_SUPERUSER,
        {"id": "00000000-0000-0000-0000-000000000000", "on": True},
        as_=cast.superuser,
    )
    assert result.payload("setSuperuser")["__typename"] == "NotFound"


# ---------------------------------------------------------------- tenants


@pytest.mark.parametrize(
    ("caller", "code"),
    [
        (Caller.ANONYMOUS, "UNAUTHENTICATED"),
        (Caller.GUEST, "FORBIDDEN"),
        (Caller.MEMBER, "FORBIDDEN"),
        (Caller.ADMIN, "FORBIDDEN"),
        (Caller.OTHER_ADMIN, "FORBIDDEN"),
        (Caller.SUPERUSER, None),
    ],
    ids=ids,
)
async def test_only_superusers_list_tenants(gql, cast, caller, code):
    result = await gql(TENANTS, as_=person(cast, caller))
    if code is None:
        assert result.ok()["tenants"] == [{"name": "acme"}, {"name": "globex"}]
    else:
        assert result.codes == [code]
        assert result.data is None or result.data.get("tenants") is None


# ---------------------------------------------------------------- ownedProjects / ownedTokens


@pytest.mark.parametrize(
    ("caller", "visible"),
    [
        ("nina herself", True),
        (Caller.ADMIN, True),
        (Caller.SUPERUSER, True),
        (Caller.MEMBER, False),
    ],
    ids=ids,
)
async def test_owned_objects_are_visible_to_the_owner_tenant_admins_and_superusers(
    gql, make, cast, caller, visible
):
    nina = await make.person(cast.tenant_a, username="nina", role=Role.MEMBER)
    await make.project(nina.user, "rocket")
    await make.api_token(nina.user, "ci")
    who = nina if caller == "nina herself" else person(cast, caller)
    result = await gql(OWNED, {"id": nina.id}, as_=who)
    if visible:
        assert result.ok()["user"] == {
            "username": "nina",
            "ownedProjects": [{"name": "rocket"}],
            "ownedTokens": [{"name": "ci"}],
        }
    else:
        assert result.data["user"] == {
            "username": "nina",
            "ownedProjects": None,
            "ownedTokens": None,
        }
        assert result.codes == ["FORBIDDEN", "FORBIDDEN"]


async def test_a_guest_sees_their_own_owned_objects(gql, cast):
    result = await gql(OWNED, {"id": cast.guest_a.id}, as_=cast.guest_a)
    assert result.ok()["user"] == {"username": "gus", "ownedProjects": [], "ownedTokens": []}


async def test_a_superuser_sees_owned_objects_in_another_tenant(gql, make, cast):
    await make.project(cast.member_b.user, "globex-app")
    result = await gql(OWNED, {"id": cast.member_b.id}, as_=cast.superuser)
    assert result.ok()["user"]["ownedProjects"] == [{"name": "globex-app"}]


async def test_another_tenants_admin_sees_neither_the_user_nor_their_objects(gql, make, cast):
    await make.project(cast.member_a.user, "secret-project")
    result = await gql(OWNED, {"id": cast.member_a.id}, as_=cast.admin_b)
    assert result.body == {"data": {"user": None}}


# ---------------------------------------------------------------- the superuser bit, not the role


async def test_a_superuser_whose_role_is_guest_keeps_every_superuser_power(gql, make, cast):
    sue = await make.person(cast.tenant_b, username="sue", role=Role.GUEST, superuser=True)
    users = (await gql(USERS, {"tenantId": str(cast.tenant_a.id)}, as_=sue)).ok()["users"]
    assert {edge["node"]["username"] for edge in users["edges"]} == USERS_OF_ACME
    assert (await gql(TENANTS, as_=sue)).ok()["tenants"]
    result = await gql(UPDATE_USER, {"input": {"id": cast.member_a.id, "role": "GUEST"}}, as_=sue)
    assert result.payload("updateUser")["user"]["role"] == "GUEST"
    result = await gql(SET_SUPERUSER, {"id": cast.admin_a.id, "on": True}, as_=sue)
    assert result.payload("setSuperuser")["user"]["superuser"] is True


async def test_an_admin_cannot_change_a_superusers_email(gql, cast):
    before = await snapshot()
    result = await gql(
        UPDATE_USER,
        {"input": {"id": cast.superuser.id, "email": "hijack@example.org"}},
        as_=cast.admin_a,
    )
    assert result.codes == ["FORBIDDEN"]
    assert await snapshot() == before


async def test_an_admin_of_another_tenant_cannot_change_an_email_here(gql, cast):
    before = await snapshot()
    result = await gql(
        UPDATE_USER,
        {"input": {"id": cast.member_a.id, "email": "hijack@example.org"}},
        as_=cast.admin_b,
    )
    assert result.payload("updateUser")["__typename"] == "NotFound"
    assert await snapshot() == before


@pytest.mark.parametrize("caller", [Caller.GUEST, Caller.MEMBER], ids=ids)
async def test_guests_and_members_are_forbidden_whether_or_not_the_target_exists(gql, cast, caller):
    # The refusal must not tell an existing ID from a missing one.
    existing = await gql(
        UPDATE_USER, {"input": {"id": cast.admin_b.id, "role": "GUEST"}}, as_=person(cast, caller)
    )
    missing = await gql(
        UPDATE_USER,
        {"input": {"id": "00000000-0000-0000-0000-000000000000", "role": "GUEST"}},
        as_=person(cast, caller),
    )
    assert existing.codes == missing.codes == ["FORBIDDEN"]


async def test_a_guest_asking_for_any_other_id_is_forbidden_alike(gql, cast):
    existing = await gql(USER, {"id": cast.member_a.id}, as_=cast.guest_a)
    missing = await gql(USER, {"id": "00000000-0000-0000-0000-000000000000"}, as_=cast.guest_a)
    assert existing.codes == missing.codes == ["FORBIDDEN"]
    assert existing.data == missing.data == {"user": None}
