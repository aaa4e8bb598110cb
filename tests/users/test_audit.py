"""Every change to a user writes an audit event: actor, tenant, action, target, time, fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models import AuditEvent
from tests.factories import DEFAULT_PASSWORD
from tests.users.queries import SET_SUPERUSER, UPDATE_USER

CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) { changePassword(input: $input) { __typename } }
"""
LOGIN = """
mutation($input: LoginInput!) { login(input: $input) { __typename } }
"""


async def the_one_event(action: str) -> AuditEvent:
    events = await AuditEvent.filter(action=action)
    assert len(events) == 1, [e.action for e in await AuditEvent.all()]
    event = events[0]
    assert abs(event.at - datetime.now(UTC)) < timedelta(minutes=1)
    return event


async def test_an_email_change_request_is_recorded_with_actor_tenant_target_and_new_value(
    gql, cast, smtp
):
    await gql(
        UPDATE_USER,
        {"input": {"id": cast.member_a.id, "email": "new@example.org"}},
        as_=cast.admin_a,
    )
    event = await the_one_event("user.email_change_requested")
    assert event.actor_id == cast.admin_a.user.id
    assert event.actor_name == "alice"
    assert event.tenant_id == cast.tenant_a.id
    assert (event.target_type, event.target_id) == ("user", cast.member_a.id)
    assert event.changes == {"pendingEmail": "new@example.org"}


async def test_a_role_change_is_recorded(gql, cast):
    await gql(UPDATE_USER, {"input": {"id": cast.member_a.id, "role": "GUEST"}}, as_=cast.admin_a)
    event = await the_one_event("user.updated")
    assert event.changes == {"role": "guest"}
    assert event.target_id == cast.member_a.id


async def test_granting_and_removing_the_superuser_bit_are_recorded(gql, cast):
    await gql(SET_SUPERUSER, {"id": cast.member_b.id, "on": True}, as_=cast.superuser)
    await gql(SET_SUPERUSER, {"id": cast.member_b.id, "on": False}, as_=cast.superuser)
    events = await AuditEvent.filter(action="user.superuser_changed").order_by("at")
    assert [e.changes for e in events] == [{"superuser": True}, {"superuser": False}]
    assert {e.tenant_id for e in events} == {cast.tenant_b.id}  # the target's tenant
    assert {e.actor_id for e in events} == {cast.superuser.user.id}


async def test_a_password_change_is_recorded_without_the_password(gql, cast):
    new = "a much better passphrase"
    await gql(
        CHANGE_PASSWORD,
        {"input": {"currentPassword": DEFAULT_PASSWORD, "newPassword": new}},
        as_=cast.member_a,
    )
    event = await the_one_event("user.password_changed")
    assert event.actor_id == cast.member_a.user.id
    assert new not in str(event.changes) and DEFAULT_PASSWORD not in str(event.changes)


async def test_a_sign_in_is_recorded(gql, cast):
    await gql(LOGIN, {"input": {"tenant": "acme", "username": "gus", "password": DEFAULT_PASSWORD}})
    event = await the_one_event("user.signed_in")
    assert event.actor_name == "gus"
    assert (event.tenant_id, event.target_id) == (cast.tenant_a.id, cast.guest_a.id)
    assert event.changes == {"method": "password"}


async def test_refused_changes_are_not_recorded(gql, cast):
    await gql(UPDATE_USER, {"input": {"id": cast.admin_a.id, "role": "GUEST"}}, as_=cast.member_a)
    await gql(UPDATE_USER, {"input": {"id": cast.member_a.id, "role": "GUEST"}}, as_=cast.admin_b)
    await gql(SET_SUPERUSER, {"id": cast.member_a.id, "on": True}, as_=cast.admin_a)
    assert await AuditEvent.all().count() == 0
