"""changePassword: needs the current password, applies the password rules,
ends the other sessions."""

from __future__ import annotations

import pytest

from domain.secrets import digest
from models import Role, Session, User
from tests.auth.queries import CHANGE_PASSWORD, login, me
from tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "a much better passphrase"


async def change(gql, person, current: str, new: str) -> dict:
    result = await gql(
        CHANGE_PASSWORD, {"input": {"currentPassword": current, "newPassword": new}}, as_=person
    )
    return result.payload("changePassword")


async def test_the_new_password_works_and_the_old_one_no_longer_does(gql, cast):
    assert (await change(gql, cast.member_a, DEFAULT_PASSWORD, NEW_PASSWORD))[
        "__typename"
    ] == "UserPayload"
    assert (await login(gql, "mallory", NEW_PASSWORD))["__typename"] == "LoginSuccess"
    assert (await login(gql, "mallory", DEFAULT_PASSWORD))["__typename"] == "InvalidCredentials"


async def test_a_wrong_current_password_changes_nothing(gql, cast):
    before = (await User.get(id=cast.member_a.user.id)).password_hash
    answer = await change(gql, cast.member_a, "not my password", NEW_PASSWORD)
    assert answer["__typename"] == "InvalidCredentials"
    assert (await User.get(id=cast.member_a.user.id)).password_hash == before


async def test_anonymous_callers_change_no_password(gql, cast):
    result = await gql(
        CHANGE_PASSWORD,
        {"input": {"currentPassword": DEFAULT_PASSWORD, "newPassword": NEW_PASSWORD}},
    )
    assert result.codes == ["UNAUTHENTICATED"]


@pytest.fixture
async def margarethe(make):
    """A user whose username and tenant name are long enough to be tried as passwords."""
    tenant = await make.tenant("initech-labs")
    return await make.person(tenant, username="margarethe", role=Role.ADMIN)


@pytest.mark.parametrize(
    ("new", "why"),
    [
        ("short", "too short"),
        ("seven77", "too short"),
        ("x" * 1025, "too long"),
        ("margarethe", "the username"),
        ("MARGARETHE", "the username, whatever its case"),
        ("Initech-Labs", "the tenant's name"),
        ("password123", "a common password"),
        ("QwertyUIOP", "a common password, whatever its case"),
    ],
)
async def test_a_new_password_breaking_a_rule_is_a_validation_error_on_new_password(
    gql, margarethe, new, why
):
    before = (await User.get(id=margarethe.user.id)).password_hash
    answer = await change(gql, margarethe, DEFAULT_PASSWORD, new)
    assert answer["__typename"] == "ValidationError", why
    assert answer["field"] == "newPassword"
    assert answer["message"]
    assert (await User.get(id=margarethe.user.id)).password_hash == before


@pytest.mark.parametrize("new", ["eight888", "é" * 8, "x" * 1024, "no composition rules at all"])
async def test_any_password_of_8_to_1024_characters_that_is_not_guessable_is_accepted(
    gql, cast, new
):
    assert (await change(gql, cast.member_a, DEFAULT_PASSWORD, new))["__typename"] == "UserPayload"
    assert (await login(gql, "mallory", new))["__typename"] == "LoginSuccess"


async def test_changing_the_password_ends_the_other_sessions_but_keeps_the_current_one(gql, cast):
    other_token = (await login(gql, "mallory", DEFAULT_PASSWORD))["sessionToken"]
    gql.http.cookies.clear()
    assert await me(gql, other_token) is not None

    await change(gql, cast.member_a, DEFAULT_PASSWORD, NEW_PASSWORD)

    assert await me(gql, cast.member_a.token) is not None
    assert await me(gql, other_token) is None
    assert await Session.filter(user_id=cast.member_a.user.id).count() == 1
    assert await Session.filter(token_hash=digest(cast.member_a.token)).exists()


async def test_changing_ones_password_leaves_other_users_sessions_alone(gql, cast):
    await change(gql, cast.member_a, DEFAULT_PASSWORD, NEW_PASSWORD)
    assert await me(gql, cast.admin_a.token) is not None
