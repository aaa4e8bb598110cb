"""Group-to-role mapping: a user's role is the highest role mapped to one of their groups.

A user's groups are the SCIM groups they are a member of and the values of the tenant's SAML
groups attribute at their last sign-in. Roles are recomputed for the users a change touches
(a membership, a mapping, a SAML sign-in), inside the caller's transaction after the
tenant's lock. Superusers' roles are left alone (an admin may not change them either, and
the superuser bit is never granted or taken here). A user in none of the mapped groups falls
to UNMAPPED_ROLE, once the tenant maps any group at all; a tenant without mappings keeps
the roles admins set by hand. A change that would leave the tenant without an active admin is
refused with LastAdmin, and the caller's transaction changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain import audit, validation
from domain.errors import LastAdmin, ValidationFailed
from domain.events import ChangeKind, publish, user_change
from domain.locks import lock_tenant
from domain.scim_tokens import tenant_in_reach
from domain.users import able_to_act
from models import GroupMembership, GroupRoleMapping, Role, User
from permissions.rules import Actor, Op

log = logging.getLogger("tenantry.group_roles")

UNMAPPED_ROLE = Role.MEMBER
MAX_GROUP_NAME = 256


def group_name(value: str, field: str = "group") -> str:
    name = validation.plain_text(value, field).strip()
    if not name or len(name) > MAX_GROUP_NAME:
        raise ValidationFailed(f"A group name has 1 to {MAX_GROUP_NAME} characters.", field)
    return name


async def groups_of(
    user_ids: Iterable[uuid.UUID], connection: BaseDBAsyncClient | None = None
) -> dict[uuid.UUID, list[str]]:
    """Each user's group names: SCIM groups, then SAML groups, without repeats."""
    ids = list(set(user_ids))
    found: dict[uuid.UUID, list[str]] = defaultdict(list)
    if not ids:
        return found
    rows = (
        await GroupMembership.filter(user_id__in=ids)
        .using_db(connection)
        .order_by("group__name_key")
        .values_list("user_id", "group__display_name")
    )
    for user_id, name in rows:
        found[user_id].append(name)
    saml = await User.filter(id__in=ids).using_db(connection).values_list("id", "saml_groups")
    for user_id, names in saml:
        seen = {validation.key(name) for name in found[user_id]}
        for name in names or []:
            if validation.key(name) not in seen:
                seen.add(validation.key(name))
                found[user_id].append(name)
    return found


async def recompute_roles(
    actor: Actor | None,
    tenant_id: uuid.UUID,
    user_ids: Iterable[uuid.UUID],
    connection: BaseDBAsyncClient,
    *,
    actor_name: str | None = None,
) -> list[User]:
    """Apply the mapping to these users (inside a transaction holding the tenant's lock);
    the users whose role changed. LastAdmin, changing nothing, when no active admin would
    remain."""
    ids = list(set(user_ids))
    mappings = await GroupRoleMapping.filter(tenant_id=tenant_id).using_db(connection)
    if not ids or not mappings:
        return []
    mapped = {mapping.group_key: mapping.role for mapping in mappings}
    groups = await groups_of(ids, connection)
    users = await User.filter(id__in=ids, tenant_id=tenant_id, superuser=False).using_db(connection)
    moves: list[tuple[User, Role]] = []
    for user in users:
        keys = (validation.key(name) for name in groups.get(user.id, []))
        roles = [mapped[key] for key in keys if key in mapped]
        role = max(roles, key=lambda r: r.rank) if roles else UNMAPPED_ROLE
        if role is not user.role:
            moves.append((user, role))
    demoted = [user.id for user, _ in moves if user.role is Role.ADMIN]
    if demoted:
        await refuse_losing_every_admin(tenant_id, demoted, connection)
    changed: list[User] = []
    for user, role in moves:
        old, user.role = user.role, role
        await User.filter(id=user.id).using_db(connection).update(role=role)
        await audit.record(
            actor,
            "user.updated",
            tenant_id=tenant_id,
            target_type="user",
            target_id=user.id,
            changes={"role": role, "previousRole": old, "via": "group mapping"},
            actor_name=actor_name,
        )
        changed.append(user)
    return changed


async def refuse_losing_every_admin(
    tenant_id: uuid.UUID, demoted: list[uuid.UUID], connection: BaseDBAsyncClient
) -> None:
    """domain.users.refuse_last_admin for several users at once: LastAdmin when one of them
    counts (is active) and no active admin outside them remains."""
    counting = (
        await able_to_act().filter(id__in=demoted, role=Role.ADMIN).using_db(connection).exists()
    )
    if not counting:
        return
    others = (
        await able_to_act()
        .filter(tenant_id=tenant_id, role=Role.ADMIN)
        .exclude(id__in=demoted)
        .using_db(connection)
        .exists()
    )
    if not others:
        raise LastAdmin()


async def publish_role_changes(users: list[User]) -> None:
    if users:
        await publish(*(user_change(ChangeKind.UPDATED, user) for user in users))


# ------------------------------------------------------------------ the GraphQL operations


async def group_role_mappings(actor: Actor, tenant_id: str) -> list[GroupRoleMapping]:
    tenant = await tenant_in_reach(actor, Op.GROUP_ROLE_MAPPINGS, tenant_id)
    return await GroupRoleMapping.filter(tenant_id=tenant.id).order_by("group_key", "id")


async def set_group_role_mapping(
    actor: Actor, tenant_id: str, group: str, role: Role | None
) -> list[GroupRoleMapping]:
    """Set (or, with no role, remove) the mapping of one group, then recompute the roles of
    the group's current members (SCIM and SAML alike); the tenant's mappings."""
    tenant = await tenant_in_reach(actor, Op.GROUP_ROLE_MAPPINGS, tenant_id)
    name = group_name(group)
    group_key = validation.key(name)
    async with in_transaction() as connection:
        await lock_tenant(connection, tenant.id)
        existing = (
            await GroupRoleMapping.filter(tenant_id=tenant.id, group_key=group_key)
            .using_db(connection)
            .first()
        )
        if role is None:
            if existing is not None:
                await GroupRoleMapping.filter(id=existing.id).using_db(connection).delete()
        elif existing is None:
            await GroupRoleMapping.create(
                using_db=connection, tenant=tenant, group=name, group_key=group_key, role=role
            )
        elif existing.role is not role or existing.group != name:
            await (
                GroupRoleMapping.filter(id=existing.id)
                .using_db(connection)
                .update(role=role, group=name)
            )
        members = await members_of_group_name(tenant.id, group_key, connection)
        changed = await recompute_roles(actor, tenant.id, members, connection)
        await audit.record(
            actor,
            "group_role_mapping.removed" if role is None else "group_role_mapping.set",
            tenant_id=tenant.id,
            target_type="group_role_mapping",
            target_id=existing.id if existing is not None else None,
            changes={"group": name, "role": role, "rolesChanged": len(changed)},
        )
    await publish_role_changes(changed)
    return await GroupRoleMapping.filter(tenant_id=tenant.id).order_by("group_key", "id")


async def members_of_group_name(
    tenant_id: uuid.UUID, group_key: str, connection: BaseDBAsyncClient
) -> list[uuid.UUID]:
    """Users of the tenant in the group of that name: SCIM members, SAML attribute values."""
    scim = (
        await GroupMembership.filter(group__tenant_id=tenant_id, group__name_key=group_key)
        .using_db(connection)
        .values_list("user_id", flat=True)
    )
    saml = (
        await User.filter(tenant_id=tenant_id, saml_groups__isnull=False)
        .using_db(connection)
        .values_list("id", "saml_groups")
    )
    return list(scim) + [
        user_id
        for user_id, names in saml
        if any(validation.key(n) == group_key for n in names or [])
    ]


# ------------------------------------------------------------------ SAML sign-in

MAX_SAML_GROUPS = 200


def _saml_group_names(values: Sequence[str]) -> list[str]:
    """The attribute's values usable as group names, without repeats (in any case); values
    that could be no group name are left out rather than refusing the sign-in."""
    names: dict[str, str] = {}
    for value in values[: MAX_SAML_GROUPS * 2]:
        try:
            name = group_name(value)
        except ValidationFailed:
            continue
        names.setdefault(validation.key(name), name)
    return list(names.values())[:MAX_SAML_GROUPS]


async def apply_saml_groups(tenant_id: uuid.UUID, user: User, values: Sequence[str]) -> User:
    """At a SAML sign-in, with the tenant's groups attribute: remember the user's groups and
    recompute their role. When that would leave the tenant without an active admin, nothing
    changes (the sign-in goes on with the role the user had) and a warning is logged."""
    names = _saml_group_names(values)
    try:
        async with in_transaction() as connection:
            await lock_tenant(connection, tenant_id)
            await User.filter(id=user.id).using_db(connection).update(saml_groups=names)
            changed = await recompute_roles(
                None, tenant_id, [user.id], connection, actor_name="SAML sign-in"
            )
    except LastAdmin:
        log.warning(
            "SAML groups of user %s left unapplied: the tenant would lose its last admin",
            user.id,
        )
        return user
    await publish_role_changes(changed)
    return changed[0] if changed else user
