"""ViewOwnedObjects checked inside a page's plan (`allows_in`): the policy looked up once per
request, with the answers of `allows` for every caller and every user they look at."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from permissions.graphql import ViewOwnedObjects
from tests.permissions.test_rules import OTHER_TENANT, TENANT, Caller, actor

CALLERS = [
    *(actor(caller) for caller in Caller),
    *(actor(caller, via_api_token=True) for caller in Caller),
    *(actor(caller, enrollment_only=True) for caller in Caller),
    None,
]


def _users_seen_by(who):
    own_id = who.user_id if who is not None else uuid.uuid4()
    return [
        SimpleNamespace(pk=pk, tenant_id=tenant)
        for pk in (own_id, uuid.uuid4())
        for tenant in (TENANT, OTHER_TENANT)
    ]


@pytest.mark.parametrize("who", CALLERS)
def test_the_check_in_a_plan_answers_as_the_permissions_own_check(who) -> None:
    context = SimpleNamespace(actor=who, extras={})
    for user in _users_seen_by(who):
        assert ViewOwnedObjects.allows_in(context, user) is ViewOwnedObjects.allows(who, user)


def test_the_check_in_a_plan_follows_the_caller_when_the_request_reidentifies_them() -> None:
    admin, member = actor(Caller.ADMIN), actor(Caller.MEMBER)
    someone = SimpleNamespace(pk=uuid.uuid4(), tenant_id=TENANT)
    context = SimpleNamespace(actor=admin, extras={})
    assert ViewOwnedObjects.allows_in(context, someone) is True

    context.actor = member

    assert ViewOwnedObjects.allows_in(context, someone) is False
