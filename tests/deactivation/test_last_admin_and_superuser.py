"""Deactivated admins and superusers do not count: a tenant keeps an admin who can act, the
instance a superuser who can act, whichever change would take the last one away."""

from __future__ import annotations

from datetime import UTC, datetime

from models import Role, User
from tests.deactivation.queries import DEACTIVATE, DELETE_USER, SET_SUPERUSER, UPDATE_ROLE


async def deactivated(*people) -> None:
    await User.filter(id__in=[p.user.id for p in people]).update(deactivated_at=datetime.now(UTC))


async def test_deactivating_the_last_active_admin_is_last_admin(gql, cast, make):
    spare = await make.person(cast.tenant_b, username="spare", role=Role.ADMIN)
    await deactivated(spare)
    result = await gql(DEACTIVATE, {"id": cast.admin_b.id}, as_=cast.superuser)
    assert result.payload("deactivateUser")["__typename"] == "LastAdmin"
    assert (await User.get(id=cast.admin_b.user.id)).deactivated_at is None


async def test_the_last_active_admin_may_not_deactivate_themself(gql, cast):
    result = await gql(DEACTIVATE, {"id": cast.admin_b.id}, as_=cast.admin_b)
    assert result.payload("deactivateUser")["__typename"] == "LastAdmin"


async def test_demoting_an_admin_whose_fellow_admins_are_deactivated_is_last_admin(gql, cast, make):
    spare = await make.person(cast.tenant_b, username="spare", role=Role.ADMIN)
    await deactivated(spare)
    result = await gql(UPDATE_ROLE, {"id": cast.admin_b.id, "role": "MEMBER"}, as_=cast.superuser)
    assert result.payload("updateUser")["__typename"] == "LastAdmin"
    assert (await User.get(id=cast.admin_b.user.id)).role is Role.ADMIN


async def test_deleting_an_admin_whose_fellow_admins_are_deactivated_is_last_admin(gql, cast, make):
    spare = await make.person(cast.tenant_b, username="spare", role=Role.ADMIN)
    await deactivated(spare)
    result = await gql(DELETE_USER, {"id": cast.admin_b.id}, as_=cast.superuser)
    assert result.payload("deleteUser")["__typename"] == "LastAdmin"
    assert await User.exists(id=cast.admin_b.user.id)


async def test_deactivating_the_last_active_superuser_is_last_superuser(gql, cast, make):
    other = await make.person(cast.tenant_b, username="odin", role=Role.MEMBER, superuser=True)
    await deactivated(other)
    result = await gql(DEACTIVATE, {"id": cast.superuser.id}, as_=cast.superuser)
    assert result.payload("deactivateUser")["__typename"] == "LastSuperuser"
    assert (await User.get(id=cast.superuser.user.id)).deactivated_at is None


async def test_removing_the_bit_when_the_other_superusers_are_deactivated_is_last_superuser(
    gql, cast, make
):
    other = await make.person(cast.tenant_b, username="odin", role=Role.MEMBER, superuser=True)
    await deactivated(other)
    result = await gql(SET_SUPERUSER, {"id": cast.superuser.id, "on": False}, as_=cast.superuser)
    assert result.payload("setSuperuser")["__typename"] == "LastSuperuser"
    assert (await User.get(id=cast.superuser.user.id)).superuser


async def test_a_second_active_superuser_lets_one_be_deactivated(gql, cast, make):
    other = await make.person(cast.tenant_b, username="odin", role=Role.MEMBER, superuser=True)
    result = await gql(DEACTIVATE, {"id": cast.superuser.id}, as_=other)
    assert result.payload("deactivateUser")["user"]["status"] == "DEACTIVATED"


async def test_an_admin_who_cannot_sign_in_yet_may_be_deactivated_whatever_the_count(
    gql, cast, make
):
    """Deactivating someone who does not count takes nobody away."""
    pending = await make.user(
        cast.tenant_b, username="pending", role=Role.ADMIN, email_verified=False
    )
    result = await gql(DEACTIVATE, {"id": str(pending.id)}, as_=cast.admin_b)
    assert result.payload("deactivateUser")["user"]["status"] == "DEACTIVATED"
