"""The invariants hold when requests race: run on PostgreSQL, many rounds each, with real
concurrent transactions on separate connections of the pool."""

from __future__ import annotations

import asyncio

import pytest

from domain.api_tokens import create_api_token
from domain.errors import LastAdmin, NotFound, UserOwnsObjects, ValidationFailed
from domain.ownership import Transferred, transfer_ownership
from domain.projects import create_project
from domain.users import actor_of, delete_user, update_user
from models import ApiToken, Project, Role, User
from tests.factories import Cast, Factory

pytestmark = pytest.mark.postgres

ROUNDS = 30


async def race(*calls):
    """Start every call at once; collect results and expected failures alike."""
    return await asyncio.gather(*calls, return_exceptions=True)


def kinds(outcomes) -> list[str]:
    return sorted(type(o).__name__ for o in outcomes)


async def orphans() -> int:
    """Objects whose owner row is gone (the RESTRICT foreign keys should make this impossible)."""
    owners = set(await User.all().values_list("id", flat=True))
    objects = [
        *await Project.all().values_list("owner_id", flat=True),
        *await ApiToken.all().values_list("owner_id", flat=True),
    ]
    return sum(owner not in owners for owner in objects)


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(make: Factory):
    for round_ in range(ROUNDS):
        tenant = await make.tenant(f"duel-{round_}")
        one = await make.user(tenant, username="one", role=Role.ADMIN)
        two = await make.user(tenant, username="two", role=Role.ADMIN)
        outcomes = await race(
            update_user(actor_of(one), str(two.id), email=None, role=Role.MEMBER),
            update_user(actor_of(two), str(one.id), email=None, role=Role.MEMBER),
        )
        assert kinds(outcomes) == ["LastAdmin", "User"], outcomes
        assert await User.filter(tenant_id=tenant.id, role=Role.ADMIN).count() == 1


async def test_deleting_a_user_while_a_project_is_created_for_them_leaves_no_orphan(
    cast: Cast, make: Factory
):
    admin = actor_of(cast.admin_a.user)
    for round_ in range(ROUNDS):
        member = await make.user(cast.tenant_a, username=f"racer{round_}", role=Role.MEMBER)
        created, deleted = await race(
            create_project(actor_of(member), f"race-{round_}"), delete_user(admin, str(member.id))
        )
        if isinstance(created, Project):
            # The project came first: it blocks the deletion and is listed.
            assert isinstance(deleted, UserOwnsObjects), deleted
            assert [p.id for p in deleted.projects] == [created.id]
            assert await User.exists(id=member.id)
        else:
            # The deletion came first: there is nobody to own a project any more.
            assert isinstance(created, NotFound), created
            assert not await User.exists(id=member.id)
        assert await orphans() == 0


async def test_deleting_a_user_while_a_token_is_created_for_them_leaves_no_orphan(
    cast: Cast, make: Factory
):
    admin = actor_of(cast.admin_a.user)
    for round_ in range(ROUNDS):
        member = await make.user(cast.tenant_a, username=f"racer{round_}", role=Role.MEMBER)
        created, deleted = await race(
            create_api_token(actor_of(member), "ci"), delete_user(admin, str(member.id))
        )
        assert kinds([created, deleted]) in (
            ["NewApiToken", "UserOwnsObjects"],
            ["NotFound", "UUID"],
        ), (created, deleted)
        assert await orphans() == 0


async def holdings(make: Factory, owner: User) -> set:
    projects = [await make.project(owner) for _ in range(3)]
    tokens = [(await make.api_token(owner))[0] for _ in range(2)]
    return {o.id for o in [*projects, *tokens]}


async def owned_by(user: User) -> set:
    return {
        *await Project.filter(owner_id=user.id).values_list("id", flat=True),
        *await ApiToken.filter(owner_id=user.id).values_list("id", flat=True),
    }


async def test_a_transfer_racing_the_receivers_deletion_moves_everything_or_nothing(
    cast: Cast, make: Factory
):
    admin = actor_of(cast.admin_a.user)
    for round_ in range(ROUNDS):
        source = await make.user(cast.tenant_a, username=f"source{round_}")
        receiver = await make.user(cast.tenant_a, username=f"receiver{round_}")
        objects = await holdings(make, source)
        moved, deleted = await race(
            transfer_ownership(admin, str(source.id), str(receiver.id)),
            delete_user(admin, str(receiver.id)),
        )
        if isinstance(moved, Transferred):
            assert isinstance(deleted, UserOwnsObjects), deleted
            assert await owned_by(receiver) == objects
            assert await owned_by(source) == set()
        else:
            assert isinstance(moved, ValidationFailed), moved
            assert not await User.exists(id=receiver.id)
            assert await owned_by(source) == objects
        assert await orphans() == 0


async def test_a_transfer_racing_the_sources_deletion_moves_everything_or_nothing(
    cast: Cast, make: Factory
):
    admin = actor_of(cast.admin_a.user)
    for round_ in range(ROUNDS):
        source = await make.user(cast.tenant_a, username=f"source{round_}")
        receiver = await make.user(cast.tenant_a, username=f"receiver{round_}")
        objects = await holdings(make, source)
        moved, deleted = await race(
            transfer_ownership(admin, str(source.id), str(receiver.id)),
            delete_user(admin, str(source.id)),
        )
        # Whichever runs first, the transfer moves all of it; the deletion succeeds only
        # when it comes after the transfer.
        assert isinstance(moved, Transferred), moved
        assert {o.id for o in [*moved.projects, *moved.tokens]} == objects
        assert await owned_by(receiver) == objects
        if isinstance(deleted, UserOwnsObjects):
            assert await User.exists(id=source.id)
        else:
            assert not isinstance(deleted, BaseException), deleted
            assert not await User.exists(id=source.id)
        assert await orphans() == 0


async def test_creating_for_the_source_during_a_transfer_of_everything_leaves_no_orphan(
    cast: Cast, make: Factory
):
    admin = actor_of(cast.admin_a.user)
    for round_ in range(ROUNDS):
        source = await make.user(cast.tenant_a, username=f"source{round_}")
        receiver = await make.user(cast.tenant_a, username=f"receiver{round_}")
        await holdings(make, source)
        outcomes = await race(
            transfer_ownership(admin, str(source.id), str(receiver.id)),
            create_project(actor_of(source), f"late-{round_}"),
            delete_user(admin, str(source.id)),
        )
        assert not any(
            isinstance(o, BaseException)
            and not isinstance(o, (UserOwnsObjects, NotFound, LastAdmin))
            for o in outcomes
        ), outcomes
        assert await orphans() == 0


async def test_the_race_harness_really_overlaps_transactions(make: Factory):
    """A control: the same check-then-demote without the tenant lock does leave a tenant with no
    admin within these rounds, so the passing runs above are owed to the lock, not to luck."""
    from tortoise.transactions import in_transaction

    async def demote_without_lock(target: User) -> None:
        async with in_transaction() as connection:
            others = (
                await User.filter(tenant_id=target.tenant_id, role=Role.ADMIN)
                .exclude(id=target.id)
                .using_db(connection)
                .count()
            )
            if others == 0:
                raise LastAdmin()
            await User.filter(id=target.id).using_db(connection).update(role=Role.MEMBER)

    leaderless = 0
    for round_ in range(ROUNDS):
        tenant = await make.tenant(f"control-{round_}")
        one = await make.user(tenant, username="one", role=Role.ADMIN)
        two = await make.user(tenant, username="two", role=Role.ADMIN)
        await race(demote_without_lock(two), demote_without_lock(one))
        leaderless += not await User.filter(tenant_id=tenant.id, role=Role.ADMIN).exists()
    assert leaderless > 0


async def test_over_the_api_the_race_answers_with_typed_results_only(
    gql, cast: Cast, make: Factory
):
    """The same race through GraphQL: no masked error, no 500, every answer a union member."""
    create = "mutation($n: String!) { createProject(name: $n) { __typename } }"
    delete = "mutation($id: ID!) { deleteUser(id: $id) { __typename } }"
    for round_ in range(ROUNDS):
        member = await make.person(cast.tenant_a, username=f"api-racer{round_}")
        created, deleted = await race(
            gql(create, {"n": f"api-race-{round_}"}, as_=member),
            gql(delete, {"id": member.id}, as_=cast.admin_a),
        )
        deletion = deleted.payload("deleteUser")["__typename"]
        if created.errors:
            # The deletion came first and ended the member's session with them.
            assert created.codes == ["UNAUTHENTICATED"], created.errors
            assert deletion == "DeleteUserSuccess"
        else:
            outcome = created.payload("createProject")["__typename"]
            assert (outcome, deletion) in (
                ("ProjectPayload", "UserOwnsObjects"),
                ("NotFound", "DeleteUserSuccess"),
            )
        assert await orphans() == 0
