"""Tenants and the first superuser."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain import audit, validation
from domain.errors import AlreadyExists, Forbidden, NotFound, ValidationFailed
from domain.events import ChangeKind, invitation_change, publish, user_change
from domain.locks import lock_instance, lock_tenant
from domain.users import NewUser, able_to_act, create_user
from models import (
    ApiToken,
    AuditEvent,
    GroupMembership,
    GroupRoleMapping,
    Invitation,
    OutboxMail,
    Project,
    Role,
    SamlAssertionSeen,
    SamlRequest,
    SamlSettings,
    ScimGroup,
    ScimToken,
    Session,
    SignupDomain,
    Tenant,
    User,
)
from permissions.rules import Actor, Op, allowed

DEFAULT_TENANT = "default"
_NAME_KEY_LENGTH: int = Tenant._meta.fields_map["name_key"].max_length  # type: ignore[attr-defined]
DEFAULT_ADMIN = "admin"


async def create_tenant(actor: Actor | None, name: str) -> Tenant:
    name = validation.tenant_name(name)
    if await Tenant.filter(name_key=validation.key(name)).exists():
        raise AlreadyExists("A tenant with that name exists.", "name")
    try:
        tenant = await Tenant.create(name=name, name_key=validation.key(name))
    except IntegrityError:
        raise AlreadyExists("A tenant with that name exists.", "name") from None
    await audit.record(
        actor,
        "tenant.created",
        tenant_id=tenant.id,
        target_type="tenant",
        target_id=tenant.id,
        changes={"name": name},
    )
    return tenant


async def create_tenant_as(actor: Actor, name: str) -> Tenant:
    """`createTenant`: superusers only."""
    if not allowed(actor, Op.TENANTS):
        raise Forbidden()
    return await create_tenant(actor, name)


async def delete_tenant(actor: Actor, tenant_id: str | uuid.UUID, confirm_name: str) -> uuid.UUID:
    """Remove a tenant and everything in it, in one transaction.

    The caller repeats the tenant's name. Refused for the caller's own tenant and when no
    superuser would remain. Audit events stay (the trail outlives what it speaks of) with
    their tenant and actor cleared; the deletion's own event names the tenant by ID and name.
    """
    if not allowed(actor, Op.TENANTS):
        raise Forbidden()
    tenant = await Tenant.get_or_none(id=validation.object_id(tenant_id))
    if tenant is None:
        raise NotFound("No such tenant.")
    if confirm_name.strip() != tenant.name:
        raise ValidationFailed("Type the tenant's name exactly to confirm.", "confirmName")
    if tenant.id == actor.tenant_id:
        raise ValidationFailed("You cannot delete the tenant you belong to.", "id")
    async with in_transaction() as connection:
        # Lock order as everywhere: instance, then tenant.
        await lock_instance(connection)
        await lock_tenant(connection, tenant.id)
        if not await Tenant.filter(id=tenant.id).using_db(connection).exists():
            raise NotFound("No such tenant.")
        remaining_superusers = (
            await able_to_act()
            .filter(superuser=True)
            .exclude(tenant_id=tenant.id)
            .using_db(connection)
            .count()
        )
        if remaining_superusers == 0:
            raise ValidationFailed(
                "The instance must keep at least one superuser: this tenant holds them all.", "id"
            )
        # The users' rows, in ID order: creating a project or token locks its owner's row
        # first (domain.projects.lock_owner), so no object appears for them under our feet.
        users = (
            await User.filter(tenant_id=tenant.id)
            .order_by("id")
            .select_for_update()
            .using_db(connection)
        )
        user_ids = [user.id for user in users]
        invitations = await Invitation.filter(tenant_id=tenant.id).using_db(connection)
        counts = await _delete_contents(connection, tenant.id, user_ids)
        await Tenant.filter(id=tenant.id).using_db(connection).delete()
        await audit.record(
            actor,
            "tenant.deleted",
            tenant_id=None,
            target_type="tenant",
            target_id=tenant.id,
            changes={"name": tenant.name, **counts},
        )
    await publish(
        *(invitation_change(ChangeKind.DELETED, invitation) for invitation in invitations),
        *(user_change(ChangeKind.DELETED, user) for user in users),
    )
    return tenant.id


async def _delete_contents(
    db: BaseDBAsyncClient, tenant_id: uuid.UUID, user_ids: list[uuid.UUID]
) -> dict[str, int]:
    """Children before parents, explicitly: the same on SQLite and PostgreSQL, and projects'
    and tokens' owner keys are RESTRICT, so they must go before their owners."""
    invitation_ids = list(
        await Invitation.filter(tenant_id=tenant_id).using_db(db).values_list("id", flat=True)
    )
    await OutboxMail.filter(user_id__in=user_ids).using_db(db).delete()
    await OutboxMail.filter(invitation_id__in=invitation_ids).using_db(db).delete()
    sessions = await Session.filter(user_id__in=user_ids).using_db(db).delete()
    tokens = await ApiToken.filter(tenant_id=tenant_id).using_db(db).delete()
    projects = await Project.filter(tenant_id=tenant_id).using_db(db).delete()
    # Objects elsewhere owned by this tenant's users cannot exist (ownership stays within a
    # tenant), but a RESTRICT key must never block the deletion halfway.
    await ApiToken.filter(owner_id__in=user_ids).using_db(db).delete()
    await Project.filter(owner_id__in=user_ids).using_db(db).delete()
    invitations = await Invitation.filter(tenant_id=tenant_id).using_db(db).delete()
    # Invitations a superuser of this tenant sent into other tenants stay, without a sender.
    await Invitation.filter(invited_by_id__in=user_ids).using_db(db).update(invited_by_id=None)
    domains = await SignupDomain.filter(tenant_id=tenant_id).using_db(db).delete()
    await SamlSettings.filter(tenant_id=tenant_id).using_db(db).delete()
    await SamlRequest.filter(tenant_id=tenant_id).using_db(db).delete()
    await SamlAssertionSeen.filter(tenant_id=tenant_id).using_db(db).delete()
    await GroupMembership.filter(user_id__in=user_ids).using_db(db).delete()
    await ScimGroup.filter(tenant_id=tenant_id).using_db(db).delete()
    await GroupRoleMapping.filter(tenant_id=tenant_id).using_db(db).delete()
    await ScimToken.filter(tenant_id=tenant_id).using_db(db).delete()
    await AuditEvent.filter(tenant_id=tenant_id).using_db(db).update(tenant_id=None)
    await AuditEvent.filter(actor_id__in=user_ids).using_db(db).update(actor_id=None)
    users = await User.filter(tenant_id=tenant_id).using_db(db).delete()
    return {
        "users": users,
        "sessions": sessions,
        "invitations": invitations,
        "signupDomains": domains,
        "projects": projects,
        "apiTokens": tokens,
    }


async def tenant_named(name: str) -> Tenant | None:
    """The tenant a person names (login, sign-up, SSO URLs); None for names no tenant has."""
    name_key = validation.lookup_key(name, _NAME_KEY_LENGTH)
    return await Tenant.get_or_none(name_key=name_key) if name_key is not None else None


async def get_or_create_tenant(name: str) -> Tenant:
    existing = await Tenant.get_or_none(name_key=validation.key(validation.tenant_name(name)))
    return existing or await create_tenant(None, name)


async def create_superuser(tenant_name: str, username: str, email: str, password: str) -> User:
    """The CLI's `create-superuser`: an admin with the superuser bit, in a tenant made if needed."""
    tenant = await get_or_create_tenant(tenant_name)
    return await create_user(
        None,
        NewUser(
            tenant=tenant,
            username=username,
            email=email,
            role=Role.ADMIN,
            superuser=True,
            password=password,
        ),
        action="user.superuser_created",
    )


@dataclass(frozen=True)
class Bootstrap:
    username: str
    password: str


async def bootstrap_instance() -> Bootstrap | None:
    """On an empty database: tenant `default`, superuser admin `admin` with a random password."""
    if await User.exists():
        return None
    password = secrets.token_urlsafe(15)
    try:
        await create_superuser(
            DEFAULT_TENANT, DEFAULT_ADMIN, "admin@localhost.localdomain", password
        )
    except (AlreadyExists, ValidationFailed):
        return None  # another process got there first
    return Bootstrap(username=DEFAULT_ADMIN, password=password)
