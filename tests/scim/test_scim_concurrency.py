"""SCIM changes under concurrent requests: however an identity provider's requests race, the
tenant keeps an active admin. PostgreSQL only: SQLite runs one transaction at a time."""

from __future__ import annotations

import asyncio

import pytest

from domain.group_roles import set_group_role_mapping
from domain.users import actor_of
from models import GroupMembership, Role, User
from tests.scim.test_scim_groups import created as created_group

pytestmark = pytest.mark.postgres

ROUNDS = 10
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def deactivate() -> dict:
    return {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}


async def test_two_last_admins_deactivated_at_once_leave_one_active(scim, cast, make):
    await User.filter(id=cast.superuser.user.id).update(role=Role.MEMBER)
    other = await make.user(cast.tenant_a, username="ada", role=Role.ADMIN)
    admins = [cast.admin_a.user.id, other.id]
    for _ in range(ROUNDS):
        await User.filter(id__in=admins).update(deactivated_at=None)
        answers = await asyncio.gather(
            *(scim.call("PATCH", f"/Users/{user_id}", deactivate()) for user_id in admins)
        )
        assert sorted(a.status_code for a in answers) == [200, 400]
        assert await User.filter(id__in=admins, deactivated_at__isnull=True).count() == 1


async def test_two_last_admins_removed_from_the_admins_group_at_once_leave_one(scim, cast, make):
    await User.filter(id=cast.superuser.user.id).update(role=Role.MEMBER)
    await set_group_role_mapping(
        actor_of(cast.admin_a.user), str(cast.tenant_a.id), "Admins", Role.ADMIN
    )
    other = await make.user(cast.tenant_a, username="ada", role=Role.ADMIN)
    admins = [cast.admin_a.user.id, other.id]
    group = await created_group(scim, "Admins", *map(str, admins))
    for _ in range(ROUNDS):
        await GroupMembership.filter(group_id=group["id"]).delete()
        for user_id in admins:
            await GroupMembership.create(group_id=group["id"], user_id=user_id)
        await User.filter(id__in=admins).update(role=Role.ADMIN)
        removals = [
            {"schemas": [PATCH], "Operations": [
                {"op": "remove", "path": f'members[value eq "{user_id}"]'}]}
            for user_id in admins
        ]  # fmt: skip
        answers = await asyncio.gather(
            *(scim.call("PATCH", f"/Groups/{group['id']}", body) for body in removals)
        )
        assert sorted(a.status_code for a in answers) == [204, 400]
        assert await User.filter(id__in=admins, role=Role.ADMIN).count() == 1
