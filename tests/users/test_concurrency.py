"""Invariants under concurrent requests: the last admin and the last superuser survive races.

PostgreSQL only: SQLite runs one transaction at a time, so it cannot show a race."""

from __future__ import annotations

import asyncio

import pytest

from models import Role, User
from tests.users.queries import SET_SUPERUSER, UPDATE_USER

pytestmark = pytest.mark.postgres

ROUNDS = 20


async def test_two_admins_demoting_each_other_at_once_leave_an_admin(gql, make):
    duo = await make.tenant("duo")
    ada = await make.person(duo, username="ada", role=Role.ADMIN)
    bob = await make.person(duo, username="bob", role=Role.ADMIN)
    outcomes: set[tuple[str, ...]] = set()
    for _ in range(ROUNDS):
        await User.filter(id__in=[ada.user.id, bob.user.id]).update(role=Role.ADMIN)
        results = await asyncio.gather(
            gql(UPDATE_USER, {"input": {"id": bob.id, "role": "MEMBER"}}, as_=ada),
            gql(UPDATE_USER, {"input": {"id": ada.id, "role": "MEMBER"}}, as_=bob),
        )
        outcomes.add(
            tuple(
                sorted(
                    r.codes[0] if r.errors else r.data["updateUser"]["__typename"] for r in results
                )
            )
        )
        assert await User.filter(tenant_id=duo.id, role=Role.ADMIN).count() >= 1
    # One demotion wins; the other is refused (LastAdmin, or FORBIDDEN when the loser was
    # already demoted before its request began). Never two successes.
    assert all(outcome.count("UserPayload") <= 1 for outcome in outcomes), outcomes


async def test_two_superusers_removing_each_others_bit_at_once_leave_a_superuser(gql, make):
    tenant = await make.tenant("pair")
    await make.user(tenant, username="keeper", role=Role.ADMIN)  # keeps the tenant's admin count
    sue = await make.person(tenant, username="sue", role=Role.MEMBER, superuser=True)
    sam = await make.person(tenant, username="sam", role=Role.MEMBER, superuser=True)
    outcomes: set[tuple[str, ...]] = set()
    for _ in range(ROUNDS):
        await User.filter(id__in=[sue.user.id, sam.user.id]).update(superuser=True)
        results = await asyncio.gather(
            gql(SET_SUPERUSER, {"id": sam.id, "on": False}, as_=sue),
            gql(SET_SUPERUSER, {"id": sue.id, "on": False}, as_=sam),
        )
        outcomes.add(
            tuple(
                sorted(
                    r.codes[0] if r.errors else r.data["setSuperuser"]["__typename"]
                    for r in results
                )
            )
        )
        assert await User.filter(superuser=True).count() >= 1
    assert all(outcome.count("UserPayload") <= 1 for outcome in outcomes), outcomes
