"""Deactivation under concurrent requests: the last active admin and superuser survive
races, and of two admins deactivating each other exactly one succeeds.

PostgreSQL only: SQLite runs one transaction at a time, so it cannot show a race."""

from __future__ import annotations

import asyncio

import pytest

from domain.auth.sessions import ClientInfo, start_session
from models import Role, User
from tests.deactivation.queries import DEACTIVATE, SET_SUPERUSER, UPDATE_ROLE
from tests.secrets_seen import remember

pytestmark = pytest.mark.postgres

ROUNDS = 10


async def fresh_sessions(*people) -> None:
    """Deactivation ended their sessions: sign them in again for the next round."""
    for person in people:
        person.token = await start_session(person.user, ClientInfo())
        remember(person.token)


def outcome(result, field: str) -> str:
    return result.codes[0] if result.errors else result.data[field]["__typename"]


async def mutual_deactivations(gql, left, right) -> list[str]:
    results = await asyncio.gather(
        gql(DEACTIVATE, {"id": right.id}, as_=left),
        gql(DEACTIVATE, {"id": left.id}, as_=right),
    )
    return [outcome(r, "deactivateUser") for r in results]


async def test_two_admins_deactivating_each_other_at_once_leave_one_active(gql, make):
    duo = await make.tenant("duo")
    ada = await make.person(duo, username="ada", role=Role.ADMIN)
    bob = await make.person(duo, username="bob", role=Role.ADMIN)
    for _ in range(ROUNDS):
        await User.filter(id__in=[ada.user.id, bob.user.id]).update(deactivated_at=None)
        await fresh_sessions(ada, bob)
        outcomes = await mutual_deactivations(gql, ada, bob)
        assert outcomes.count("UserPayload") == 1, outcomes
        assert await User.filter(tenant_id=duo.id, deactivated_at__isnull=True).count() == 1


async def test_of_two_admins_deactivating_each_other_one_wins_even_with_a_third(gql, make):
    """The loser was deactivated while its request waited: it may no longer act."""
    trio = await make.tenant("trio")
    ada = await make.person(trio, username="ada", role=Role.ADMIN)
    bob = await make.person(trio, username="bob", role=Role.ADMIN)
    await make.person(trio, username="cy", role=Role.ADMIN)
    for _ in range(ROUNDS):
        await User.filter(id__in=[ada.user.id, bob.user.id]).update(deactivated_at=None)
        await fresh_sessions(ada, bob)
        outcomes = await mutual_deactivations(gql, ada, bob)
        assert outcomes.count("UserPayload") == 1, outcomes
        assert await User.filter(tenant_id=trio.id, deactivated_at__isnull=True).count() == 2


async def test_a_deactivation_racing_a_demotion_leaves_an_active_admin(gql, make):
    duo = await make.tenant("duo")
    ada = await make.person(duo, username="ada", role=Role.ADMIN)
    bob = await make.person(duo, username="bob", role=Role.ADMIN)
    for _ in range(ROUNDS):
        await User.filter(id__in=[ada.user.id, bob.user.id]).update(
            deactivated_at=None, role=Role.ADMIN
        )
        await fresh_sessions(ada, bob)
        await asyncio.gather(
            gql(DEACTIVATE, {"id": bob.id}, as_=ada),
            gql(UPDATE_ROLE, {"id": ada.id, "role": "MEMBER"}, as_=bob),
        )
        active_admins = User.filter(tenant_id=duo.id, role=Role.ADMIN, deactivated_at__isnull=True)
        assert await active_admins.count() >= 1


async def test_two_superusers_deactivating_each_other_at_once_leave_one_active(gql, make):
    tenant = await make.tenant("pair")
    await make.user(tenant, username="keeper", role=Role.ADMIN)  # keeps the tenant's admin count
    sue = await make.person(tenant, username="sue", role=Role.MEMBER, superuser=True)
    sam = await make.person(tenant, username="sam", role=Role.MEMBER, superuser=True)
    for _ in range(ROUNDS):
        await User.filter(id__in=[sue.user.id, sam.user.id]).update(deactivated_at=None)
        await fresh_sessions(sue, sam)
        outcomes = await mutual_deactivations(gql, sue, sam)
        assert outcomes.count("UserPayload") == 1, outcomes
        assert await User.filter(superuser=True, deactivated_at__isnull=True).count() == 1


async def test_a_deactivation_racing_a_bit_removal_leaves_an_active_superuser(gql, make):
    tenant = await make.tenant("pair")
    await make.user(tenant, username="keeper", role=Role.ADMIN)
    sue = await make.person(tenant, username="sue", role=Role.MEMBER, superuser=True)
    sam = await make.person(tenant, username="sam", role=Role.MEMBER, superuser=True)
    for _ in range(ROUNDS):
        await User.filter(id__in=[sue.user.id, sam.user.id]).update(
            deactivated_at=None, superuser=True
        )
        await fresh_sessions(sue, sam)
        await asyncio.gather(
            gql(DEACTIVATE, {"id": sam.id}, as_=sue),
            gql(SET_SUPERUSER, {"id": sue.id, "on": False}, as_=sam),
        )
        assert await User.filter(superuser=True, deactivated_at__isnull=True).count() >= 1
