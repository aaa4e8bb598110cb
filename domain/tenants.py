"""Tenants and the first superuser."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from domain import audit, validation
from domain.errors import AlreadyExists, ValidationFailed
from domain.users import NewUser, create_user
from models import Role, Tenant, User
from permissions.rules import Actor

DEFAULT_TENANT = "default"
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
        actor, "tenant.created", tenant_id=tenant.id, target_type="tenant",
        target_id=tenant.id, changes={"name": name},
    )
    return tenant


async def get_or_create_tenant(name: str) -> Tenant:
    existing = await Tenant.get_or_none(name_key=validation.key(validation.tenant_name(name)))
    return existing or await create_tenant(None, name)


async def create_superuser(tenant_name: str, username: str, email: str, password: str) -> User:
    """The CLI's `create-superuser`: an admin with the superuser bit, in a tenant made if needed."""
    tenant = await get_or_create_tenant(tenant_name)
    return await create_user(
        None,
        NewUser(tenant=tenant, username=username, email=email, role=Role.ADMIN,
                superuser=True, password=password),
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
        await create_superuser(DEFAULT_TENANT, DEFAULT_ADMIN, "admin@localhost.localdomain", password)
    except (AlreadyExists, ValidationFailed):
        return None  # another process got there first
    return Bootstrap(username=DEFAULT_ADMIN, password=password)
