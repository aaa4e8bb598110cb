"""Groups as an identity provider pushes them over SCIM (web/scim/groups.py speaks the
protocol). A group's displayName is what a group-to-role mapping names: every change of
membership, name or existence recomputes the roles of the users it touches
(domain/group_roles.py), in the same transaction after the tenant's lock, so a change that
would leave the tenant without an active admin fails whole (LastAdmin) and changes nothing.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain import audit, validation
from domain.errors import AlreadyExists, NotFound, ValidationFailed
from domain.group_roles import group_name, publish_role_changes, recompute_roles
from domain.locks import lock_tenant
from domain.scim_users import ScimCaller, external_id_value
from models import GroupMembership, ScimGroup, User


@dataclass(frozen=True)
class GroupValues:
    """What SCIM may set on a group: the whole state a PUT (or a PATCH, applied) asks for."""

    display_name: str
    external_id: str | None
    member_ids: Sequence[str]


@dataclass(frozen=True)
class GroupView:
    group: ScimGroup
    # (user ID, username) of each member, by username.
    members: list[tuple[uuid.UUID, str]]


async def groups_of_users(user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[ScimGroup]]:
    """Each user's SCIM groups, by name."""
    found: dict[uuid.UUID, list[ScimGroup]] = defaultdict(list)
    ids = list(set(user_ids))
    if not ids:
        return found
    memberships = (
        await GroupMembership.filter(user_id__in=ids)
        .select_related("group")
        .order_by("group__name_key")
    )
    for membership in memberships:
        found[membership.user_id].append(membership.group)  # type: ignore[attr-defined]
    return found


async def _members(
    group_ids: Sequence[uuid.UUID], connection: BaseDBAsyncClient | None = None
) -> dict[uuid.UUID, list[tuple[uuid.UUID, str]]]:
    found: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = defaultdict(list)
    rows = (
        await GroupMembership.filter(group_id__in=list(group_ids))
        .using_db(connection)
        .order_by("user__username_key")
        .values_list("group_id", "user_id", "user__username")
    )
    for group_id, user_id, username in rows:
        found[group_id].append((user_id, username))
    return found


async def _views(
    groups: Sequence[ScimGroup], connection: BaseDBAsyncClient | None = None
) -> list[GroupView]:
    members = await _members([group.id for group in groups], connection)
    return [GroupView(group, members.get(group.id, [])) for group in groups]


async def get_group(caller: ScimCaller, group_id: str) -> GroupView:
    return (await _views([await _group(caller, group_id)]))[0]


async def _group(
    caller: ScimCaller, group_id: str, connection: BaseDBAsyncClient | None = None
) -> ScimGroup:
    try:
        wanted = validation.object_id(group_id)
    except NotFound:
        raise NotFound("No such group.") from None
    group = (
        await ScimGroup.filter(id=wanted, tenant_id=caller.tenant.id).using_db(connection).first()
    )
    if group is None:
        raise NotFound("No such group.")
    return group


async def list_groups(
    caller: ScimCaller, where: Q | None, start_index: int, count: int
) -> tuple[int, list[GroupView]]:
    query = ScimGroup.filter(tenant_id=caller.tenant.id)
    if where is not None:
        query = query.filter(where).distinct()
    total = await query.count()
    if count == 0:
        return total, []
    page = await query.order_by("created_at", "id").offset(start_index - 1).limit(count)
    return total, await _views(list(page))


async def _member_ids(
    caller: ScimCaller, wanted: Sequence[str], connection: BaseDBAsyncClient
) -> set[uuid.UUID]:
    """The tenant's users named; ValidationFailed for an ID that names none of them."""
    ids: set[uuid.UUID] = set()
    for value in wanted:
        try:
            ids.add(validation.object_id(value))
        except NotFound:
            raise ValidationFailed("A member is no user of this tenant.", "members") from None
    found = (
        await User.filter(id__in=list(ids), tenant_id=caller.tenant.id).using_db(connection).count()
    )
    if found != len(ids):
        raise ValidationFailed("A member is no user of this tenant.", "members")
    return ids


async def _refuse_name_taken(
    caller: ScimCaller, name: str, connection: BaseDBAsyncClient, except_group: uuid.UUID | None
) -> None:
    holders = ScimGroup.filter(tenant_id=caller.tenant.id, name_key=validation.key(name)).using_db(
        connection
    )
    if except_group is not None:
        holders = holders.exclude(id=except_group)
    if await holders.exists():
        raise AlreadyExists("A group of that displayName exists in this tenant.", "displayName")


async def create_group(caller: ScimCaller, values: GroupValues) -> GroupView:
    name = group_name(values.display_name, "displayName")
    external_id = external_id_value(values.external_id)
    tenant_id = caller.tenant.id
    try:
        async with in_transaction() as connection:
            await lock_tenant(connection, tenant_id)
            await _refuse_name_taken(caller, name, connection, None)
            members = await _member_ids(caller, values.member_ids, connection)
            group = await ScimGroup.create(
                using_db=connection,
                tenant_id=tenant_id,
                display_name=name,
                name_key=validation.key(name),
                external_id=external_id,
            )
            for user_id in members:
                await GroupMembership.create(using_db=connection, group=group, user_id=user_id)
            await audit.record(
                None,
                "group.created",
                tenant_id=tenant_id,
                target_type="group",
                target_id=group.id,
                changes={"displayName": name, "externalId": external_id, "added": len(members)},
                actor_name=caller.name,
            )
            changed = await recompute_roles(
                None, tenant_id, members, connection, actor_name=caller.name
            )
    except IntegrityError:  # the same name created meanwhile
        raise AlreadyExists(
            "A group of that displayName exists in this tenant.", "displayName"
        ) from None
    await publish_role_changes(changed)
    return await get_group(caller, str(group.id))


# A PATCH: the new values from the group as it is under the tenant's lock (see scim_users).
Change = GroupValues | Callable[[GroupView], Awaitable[GroupValues]]


async def replace_group(caller: ScimCaller, group_id: str, change: Change) -> GroupView:
    """Set the group's name, externalId and members to the values given (PUT), or to those
    computed from the group as it is (PATCH); the roles of the members who came or went (all
    of them, when the name changed) are recomputed."""
    tenant_id = caller.tenant.id
    async with in_transaction() as connection:
        await lock_tenant(connection, tenant_id)
        group = await _group(caller, group_id, connection)
        if isinstance(change, GroupValues):
            values = change
        else:
            values = await change((await _views([group], connection))[0])
        name = group_name(values.display_name, "displayName")
        external_id = external_id_value(values.external_id)
        wanted = await _member_ids(caller, values.member_ids, connection)
        current = set(
            await GroupMembership.filter(group_id=group.id)
            .using_db(connection)
            .values_list("user_id", flat=True)
        )
        added, removed = wanted - current, current - wanted
        renamed = name != group.display_name
        changes: dict[str, object] = {}
        if renamed:
            await _refuse_name_taken(caller, name, connection, group.id)
            changes["displayName"] = name
        if external_id != group.external_id:
            changes["externalId"] = external_id
        if changes:
            await (
                ScimGroup.filter(id=group.id)
                .using_db(connection)
                .update(display_name=name, name_key=validation.key(name), external_id=external_id)
            )
            await audit.record(
                None, "group.updated", tenant_id=tenant_id, target_type="group",
                target_id=group.id, changes=changes, actor_name=caller.name,
            )  # fmt: skip
        if removed:
            await (
                GroupMembership.filter(group_id=group.id, user_id__in=list(removed))
                .using_db(connection)
                .delete()
            )
        for user_id in added:
            await GroupMembership.create(using_db=connection, group_id=group.id, user_id=user_id)
        if added or removed:
            await audit.record(
                None, "group.members_changed", tenant_id=tenant_id, target_type="group",
                target_id=group.id, actor_name=caller.name,
                changes={"added": sorted(map(str, added)), "removed": sorted(map(str, removed))},
            )  # fmt: skip
        touched = (wanted | current) if renamed else (added | removed)
        changed = await recompute_roles(
            None, tenant_id, touched, connection, actor_name=caller.name
        )
    await publish_role_changes(changed)
    return await get_group(caller, group_id)


async def delete_group(caller: ScimCaller, group_id: str) -> None:
    """The group goes; its former members' roles are recomputed without it."""
    tenant_id = caller.tenant.id
    async with in_transaction() as connection:
        await lock_tenant(connection, tenant_id)
        group = await _group(caller, group_id, connection)
        members = list(
            await GroupMembership.filter(group_id=group.id)
            .using_db(connection)
            .values_list("user_id", flat=True)
        )
        await ScimGroup.filter(id=group.id).using_db(connection).delete()
        await audit.record(
            None, "group.deleted", tenant_id=tenant_id, target_type="group", target_id=group.id,
            changes={"displayName": group.display_name, "members": len(members)},
            actor_name=caller.name,
        )  # fmt: skip
        changed = await recompute_roles(
            None, tenant_id, members, connection, actor_name=caller.name
        )
    await publish_role_changes(changed)
