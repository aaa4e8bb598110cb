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


async def test_an_admin_cannot_change_a_user_who_became_a_superuser_while_the_change_waited(
    cast, make
):
    """The "not superusers" rule is checked again under the tenant lock, not only before it."""
    from tortoise.transactions import in_transaction

    from domain.errors import Forbidden
    from domain.locks import lock_tenant
    from domain.users import actor_of, update_user

    target = await make.user(cast.tenant_a, username="rising", role=Role.MEMBER)
    locked, release = asyncio.Event(), asyncio.Event()

    async def hold_the_tenant_lock() -> None:
        async with in_transaction() as holder:
            await lock_tenant(holder, cast.tenant_a.id)
            locked.set()
            await release.wait()

    holder = asyncio.create_task(hold_the_tenant_lock())
    await locked.wait()
    change = asyncio.create_task(
        update_user(actor_of(cast.admin_a.user), str(target.id), email=None, role=Role.GUEST)
    )
    await asyncio.sleep(0.3)  # the change has checked the target and waits for the lock
    assert not change.done()
    await User.filter(id=target.id).update(superuser=True)  # a superuser's promotion
    release.set()
    await holder
    with pytest.raises(Forbidden):
        await change
    assert (await User.get(id=target.id)).role is Role.MEMBER


async def test_an_email_change_racing_a_revocation_does_not_restore_the_superuser_bit(
    cast, make, smtp
):
    """updateUser writes only what it changes: a stale row must not overwrite the bit."""
    from tortoise.transactions import in_transaction

    from domain.users import actor_of, update_user

    sly = await make.user(cast.tenant_a, username="sly", role=Role.MEMBER, superuser=True)
    revoking, release = asyncio.Event(), asyncio.Event()

    async def revoke_the_bit_and_wait() -> None:
        async with in_transaction() as revoker:
            await User.filter(id=sly.id).using_db(revoker).update(superuser=False)
            revoking.set()
            await release.wait()

    revocation = asyncio.create_task(revoke_the_bit_and_wait())
    await revoking.wait()
    change = asyncio.create_task(
        update_user(actor_of(sly), str(sly.id), email="sly@elsewhere.example.com", role=None)
    )
    await asyncio.sleep(0.3)  # the change has read the row and waits to write it
    release.set()
    await revocation
    await change
    stored = await User.get(id=sly.id)
    assert stored.pending_email == "sly@elsewhere.example.com"
    assert stored.superuser is False
