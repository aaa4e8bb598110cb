"""A tenant keeps at least one admin; the instance keeps at least one superuser."""

from __future__ import annotations

from models import AuditEvent, Role, User
from tests.users.queries import SET_SUPERUSER, UPDATE_USER


async def test_the_last_admin_of_a_tenant_cannot_demote_themself(gql, make):
    solo = await make.tenant("solo")
    sam = await make.person(solo, username="sam", role=Role.ADMIN)
    result = await gql(UPDATE_USER, {"input": {"id": sam.id, "role": "MEMBER"}}, as_=sam)
    assert result.payload("updateUser")["__typename"] == "LastAdmin"
    assert (await User.get(id=sam.user.id)).role is Role.ADMIN
    assert not await AuditEvent.filter(action="user.updated").exists()


async def test_a_superuser_cannot_demote_the_last_admin_of_another_tenant(gql, cast):
    result = await gql(
        UPDATE_USER, {"input": {"id": cast.admin_b.id, "role": "GUEST"}}, as_=cast.superuser
    )
    assert result.payload("updateUser")["__typename"] == "LastAdmin"
    assert (await User.get(id=cast.admin_b.user.id)).role is Role.ADMIN


async def test_an_admin_can_step_down_while_another_admin_remains(gql, cast):
    # acme has two admins: root (a superuser) and alice.
    result = await gql(
        UPDATE_USER, {"input": {"id": cast.admin_a.id, "role": "MEMBER"}}, as_=cast.admin_a
    )
    assert result.payload("updateUser")["user"]["role"] == "MEMBER"


async def test_after_one_admin_steps_down_the_other_is_the_last(gql, cast):
    await gql(UPDATE_USER, {"input": {"id": cast.admin_a.id, "role": "MEMBER"}}, as_=cast.admin_a)
    result = await gql(
        UPDATE_USER, {"input": {"id": cast.superuser.id, "role": "MEMBER"}}, as_=cast.superuser
    )
    assert result.payload("updateUser")["__typename"] == "LastAdmin"


async def test_the_last_superuser_cannot_remove_their_own_bit(gql, cast):
    result = await gql(SET_SUPERUSER, {"id": cast.superuser.id, "on": False}, as_=cast.superuser)
    assert result.payload("setSuperuser")["__typename"] == "LastSuperuser"
    assert (await User.get(id=cast.superuser.user.id)).superuser
    assert not await AuditEvent.filter(action="user.superuser_changed").exists()


async def test_a_superuser_may_step_down_once_another_superuser_exists(gql, cast):
    await gql(SET_SUPERUSER, {"id": cast.member_b.id, "on": True}, as_=cast.superuser)
    result = await gql(SET_SUPERUSER, {"id": cast.superuser.id, "on": False}, as_=cast.superuser)
    assert result.payload("setSuperuser")["user"]["superuser"] is False
    assert await User.filter(superuser=True).count() == 1


async def test_setting_the_bit_a_user_already_has_changes_nothing(gql, cast):
    result = await gql(SET_SUPERUSER, {"id": cast.superuser.id, "on": True}, as_=cast.superuser)
    assert result.payload("setSuperuser")["user"]["superuser"] is True
    assert not await AuditEvent.filter(action="user.superuser_changed").exists()


async def test_an_unverified_sign_up_does_not_count_as_another_admin(gql, make):
    solo = await make.tenant("solo")
    sam = await make.person(solo, username="sam", role=Role.ADMIN)
    # A sign-up whose address nobody has verified may never become usable.
    await make.user(solo, username="pending", role=Role.ADMIN, email_verified=False)

    result = await gql(UPDATE_USER, {"input": {"id": sam.id, "role": "MEMBER"}}, as_=sam)

    assert result.payload("updateUser")["__typename"] == "LastAdmin"


async def test_an_unverified_superuser_does_not_count_as_another_superuser(gql, cast, make):
    await make.user(cast.tenant_b, username="pending", superuser=True, email_verified=False)

    result = await gql(SET_SUPERUSER, {"id": cast.superuser.id, "on": False}, as_=cast.superuser)

    assert result.payload("setSuperuser")["__typename"] == "LastSuperuser"
