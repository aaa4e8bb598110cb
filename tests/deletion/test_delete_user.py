"""deleteUser: who may delete whom, what blocks a deletion, and what a deletion takes with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models import ApiToken, AuditEvent, Invitation, Project, Role, Session, User
from tests.factories import Cast, Factory

DELETE_USER = """
mutation($id: ID!) {
  deleteUser(id: $id) {
    __typename
    ... on DeleteUserSuccess { deletedUserId }
    ... on Error { message }
    ... on UserOwnsObjects {
      projects { id name owner { username } }
      tokens { id name prefix owner { username } }
    }
  }
}
"""


async def delete(gql, caller, user_id) -> dict:
    return (await gql(DELETE_USER, {"id": str(user_id)}, as_=caller)).payload("deleteUser")


async def test_an_admin_deletes_a_user_of_their_tenant(gql, cast: Cast, make: Factory):
    victim = await make.user(cast.tenant_a, username="victim")
    payload = await delete(gql, cast.admin_a, victim.id)
    assert payload == {"__typename": "DeleteUserSuccess", "deletedUserId": str(victim.id)}
    assert not await User.exists(id=victim.id)


async def test_an_admin_deletes_another_admin_of_their_tenant(gql, cast: Cast, make: Factory):
    other = await make.user(cast.tenant_a, username="second-admin", role=Role.ADMIN)
    assert (await delete(gql, cast.admin_a, other.id))["__typename"] == "DeleteUserSuccess"


async def test_an_admin_may_not_delete_a_superuser(gql, cast: Cast):
    result = await gql(DELETE_USER, {"id": cast.superuser.id}, as_=cast.admin_a)
    assert result.codes == ["FORBIDDEN"]
    assert await User.exists(id=cast.superuser.user.id)


async def test_another_tenants_admin_finds_no_such_user(gql, cast: Cast):
    assert (await delete(gql, cast.admin_b, cast.member_a.id))["__typename"] == "NotFound"
    assert await User.exists(id=cast.member_a.user.id)


async def test_a_cross_tenant_id_and_a_missing_id_answer_alike(gql, cast: Cast):
    cross = await delete(gql, cast.admin_b, cast.member_a.id)
    missing = await delete(gql, cast.admin_b, "00000000-0000-0000-0000-000000000000")
    assert cross == missing
    assert (await delete(gql, cast.admin_b, "nope"))["__typename"] == "NotFound"


async def test_a_superuser_deletes_a_user_of_any_tenant(gql, cast: Cast):
    payload = await delete(gql, cast.superuser, cast.member_b.id)
    assert payload["__typename"] == "DeleteUserSuccess"
    assert not await User.exists(id=cast.member_b.user.id)


async def test_a_superuser_deletes_another_superuser(gql, cast: Cast, make: Factory):
    other = await make.user(cast.tenant_b, username="root2", role=Role.MEMBER, superuser=True)
    assert (await delete(gql, cast.superuser, other.id))["__typename"] == "DeleteUserSuccess"


@pytest.mark.parametrize("role", ["member", "guest"])
async def test_members_and_guests_may_not_delete_users(gql, cast: Cast, make: Factory, role):
    victim = await make.user(cast.tenant_a, username="victim")
    result = await gql(DELETE_USER, {"id": str(victim.id)}, as_=cast.by_role(role))
    assert result.codes == ["FORBIDDEN"]
    assert await User.exists(id=victim.id)


@pytest.mark.parametrize("role", ["member", "guest"])
async def test_members_and_guests_may_not_delete_themselves(gql, cast: Cast, role):
    caller = cast.by_role(role)
    assert (await gql(DELETE_USER, {"id": caller.id}, as_=caller)).codes == ["FORBIDDEN"]
    assert await User.exists(id=caller.user.id)


async def test_anonymous_callers_may_not_delete_users(gql, cast: Cast):
    assert (await gql(DELETE_USER, {"id": cast.member_a.id})).codes == ["UNAUTHENTICATED"]
    assert await User.exists(id=cast.member_a.user.id)


async def test_a_user_who_owns_objects_is_not_deleted_and_all_of_them_are_listed(
    gql, cast: Cast, make: Factory
):
    owner = cast.member_a.user
    projects = [await make.project(owner, f"p{i}") for i in range(3)]
    tokens = [(await make.api_token(owner, f"t{i}"))[0] for i in range(2)]
    await make.project(cast.admin_a.user, "not-theirs")
    payload = await delete(gql, cast.admin_a, owner.id)
    assert payload["__typename"] == "UserOwnsObjects"
    assert sorted(p["id"] for p in payload["projects"]) == sorted(str(p.id) for p in projects)
    assert sorted(t["id"] for t in payload["tokens"]) == sorted(str(t.id) for t in tokens)
    assert {p["owner"]["username"] for p in payload["projects"]} == {"mallory"}
    assert all(t["prefix"].startswith("tnt_") for t in payload["tokens"])
    # Nothing was deleted: the user, their objects, their session.
    assert await User.exists(id=owner.id)
    assert await Project.filter(owner_id=owner.id).count() == 3
    assert await ApiToken.filter(owner_id=owner.id).count() == 2
    assert (await gql("{ me { username } }", as_=cast.member_a)).ok()["me"] is not None
    assert not await AuditEvent.exists(action="user.deleted")


async def test_a_single_token_blocks_a_deletion(gql, cast: Cast, make: Factory):
    await make.api_token(cast.member_a.user)
    payload = await delete(gql, cast.admin_a, cast.member_a.id)
    assert payload["__typename"] == "UserOwnsObjects"
    assert payload["projects"] == [] and len(payload["tokens"]) == 1


async def test_the_last_admin_of_a_tenant_is_not_deleted(gql, cast: Cast):
    payload = await delete(gql, cast.superuser, cast.admin_b.id)
    assert payload["__typename"] == "LastAdmin"
    assert await User.exists(id=cast.admin_b.user.id)


async def test_the_last_admin_may_not_delete_themself(gql, cast: Cast):
    assert (await delete(gql, cast.admin_b, cast.admin_b.id))["__typename"] == "LastAdmin"


async def test_an_admin_deletes_themself_when_another_admin_remains(gql, cast: Cast):
    assert (await delete(gql, cast.admin_a, cast.admin_a.id))["__typename"] == "DeleteUserSuccess"
    assert not await User.exists(id=cast.admin_a.user.id)


async def test_the_last_superuser_is_not_deleted(gql, cast: Cast):
    # root is an admin of acme beside alice, so only the superuser rule stands in the way.
    payload = await delete(gql, cast.superuser, cast.superuser.id)
    assert payload["__typename"] == "LastSuperuser"
    assert await User.exists(id=cast.superuser.user.id)


async def test_the_deleted_users_sessions_end_at_once(gql, cast: Cast, make: Factory):
    victim = await make.person(cast.tenant_a, username="victim")
    assert (await gql("{ me { username } }", as_=victim)).ok()["me"]["username"] == "victim"
    await delete(gql, cast.admin_a, victim.user.id)
    assert (await gql("{ me { username } }", as_=victim)).ok()["me"] is None
    assert not await Session.exists(user_id=victim.user.id)


async def test_invitations_the_deleted_user_sent_stay_pending_without_a_sender(
    gql, cast: Cast, make: Factory
):
    inviter = await make.user(cast.tenant_a, username="inviter")
    invitation = await Invitation.create(
        tenant=cast.tenant_a,
        username="newbie",
        username_key="newbie",
        email="newbie@acme.example.com",
        email_key="newbie@acme.example.com",
        role=Role.MEMBER,
        auth_method="password",
        invited_by=inviter,
        nonce="n" * 64,
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    assert (await delete(gql, cast.admin_a, inviter.id))["__typename"] == "DeleteUserSuccess"
    kept = await Invitation.get(id=invitation.id)
    assert kept.invited_by_id is None
    assert kept.username == "newbie"


async def test_the_deleted_users_audit_trail_stays(gql, cast: Cast, make: Factory):
    victim = await make.person(cast.tenant_a, username="victim")
    await gql('mutation { createProject(name: "tmp") { __typename } }', as_=victim)
    await gql(
        "mutation($id: ID!) { deleteProject(id: $id) { __typename } }",
        {"id": str((await Project.get(name="tmp")).id)},
        as_=victim,
    )
    await delete(gql, cast.admin_a, victim.user.id)
    created = await AuditEvent.get(action="project.created")
    assert created.actor_id is None
    assert created.actor_name == "victim"


async def test_deleting_a_user_writes_an_audit_event(gql, cast: Cast, make: Factory):
    victim = await make.user(cast.tenant_a, username="victim")
    await delete(gql, cast.admin_a, victim.id)
    event = await AuditEvent.get(action="user.deleted")
    assert event.target_type == "user"
    assert event.target_id == str(victim.id)
    assert event.actor_id == cast.admin_a.user.id
    assert event.tenant_id == cast.tenant_a.id
    assert event.changes["username"] == "victim"


async def test_the_database_refuses_to_orphan_a_project_even_outside_the_api(
    cast: Cast, make: Factory
):
    from tortoise.exceptions import IntegrityError

    await make.project(cast.member_a.user)
    with pytest.raises(IntegrityError):
        await User.filter(id=cast.member_a.user.id).delete()
