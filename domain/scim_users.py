"""Users as an identity provider provisions them over SCIM (web/scim/users.py speaks the
protocol; this module holds the behaviour).

The caller is a tenant's SCIM token: it reaches that tenant's users and no other, never
changes a superuser (an admin may not either), never grants the superuser bit. New users
sign in by the tenant's configured method (SAML when single sign-on is set up; otherwise a
password they set through a reset link). `active: false` and DELETE deactivate through
domain/deactivation.py; DELETE removes a user only when they own nothing, so it never fails
on owned objects. Writes take the locks of deactivateUser: instance, tenant, the user's row.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain import audit, validation
from domain.deactivation import (
    deactivate_locked,
    publish_deactivation,
    reactivate_locked,
)
from domain.errors import AlreadyExists, Forbidden, NotFound, ValidationFailed
from domain.events import ChangeKind, publish, user_change
from domain.group_roles import UNMAPPED_ROLE
from domain.locks import lock_instance, lock_tenant
from domain.tenant_settings import allowed_methods
from domain.users import free_username, refuse_last_admin, refuse_taken
from models import ApiToken, AuthMethod, Project, Role, SamlSettings, ScimToken, Tenant, User

MAX_USER_NAME = 256
MAX_EXTERNAL_ID = 256


@dataclass(frozen=True)
class ScimCaller:
    """Who calls: a tenant's SCIM token (its tenant loaded). Audit events name it."""

    token: ScimToken

    @property
    def tenant(self) -> Tenant:
        return self.token.tenant  # type: ignore[no-any-return]

    @property
    def name(self) -> str:
        return f"SCIM token {self.token.prefix}…"


@dataclass(frozen=True)
class UserValues:
    """What SCIM may set on a user: the whole state a PUT (or a PATCH, once applied) asks for."""

    user_name: str
    email: str | None
    external_id: str | None
    active: bool = True


class Removal(Enum):
    DELETED = "deleted"
    DEACTIVATED = "deactivated"


def scim_user_name(user: User) -> str:
    return user.scim_user_name or user.username


def _user_name(value: str) -> str:
    name = validation.plain_text(value, "userName").strip()
    if not name or len(name) > MAX_USER_NAME:
        raise ValidationFailed(f"userName has 1 to {MAX_USER_NAME} characters.", "userName")
    return name


def external_id_value(value: str | None) -> str | None:
    """An `externalId` as Users and Groups keep it: plain text, bounded, None when blank."""
    if value is None:
        return None
    value = validation.plain_text(value, "externalId").strip()
    if len(value) > MAX_EXTERNAL_ID:
        raise ValidationFailed(
            f"externalId has at most {MAX_EXTERNAL_ID} characters.", "externalId"
        )
    return value or None


def _email(values: UserValues) -> str:
    """The address given, or the userName when it is one (Okta and Entra ID often send it)."""
    if values.email is not None:
        return validation.email(values.email, "emails")
    try:
        return validation.email(values.user_name, "userName")
    except ValidationFailed:
        raise ValidationFailed("A user needs an e-mail address (emails).", "emails") from None


async def _sign_in_method(tenant: Tenant) -> AuthMethod:
    methods = allowed_methods(tenant)
    saml = await SamlSettings.filter(tenant_id=tenant.id, enabled=True).exists()
    if AuthMethod.SAML in methods and (saml or methods == (AuthMethod.SAML,)):
        return AuthMethod.SAML
    if AuthMethod.PASSWORD in methods:
        return AuthMethod.PASSWORD
    if not methods:
        raise ValidationFailed("This tenant admits no new accounts.", "userName")
    return methods[0]


async def _refuse_user_name_taken(
    tenant_id: uuid.UUID, name: str, connection: BaseDBAsyncClient, except_user: uuid.UUID | None
) -> None:
    name_key = validation.key(name)
    holders = User.filter(
        Q(scim_user_name_key=name_key) | Q(scim_user_name_key__isnull=True, username_key=name_key),
        tenant_id=tenant_id,
    ).using_db(connection)
    if except_user is not None:
        holders = holders.exclude(id=except_user)
    if await holders.exists():
        raise AlreadyExists("That userName is taken in this tenant.", "userName")


# ------------------------------------------------------------------ reading


def users_of(caller: ScimCaller, where: Q | None = None):  # type: ignore[no-untyped-def]
    query = User.filter(tenant_id=caller.tenant.id)
    return query.filter(where) if where is not None else query


async def get_user(caller: ScimCaller, user_id: str) -> User:
    try:
        wanted = validation.object_id(user_id)
    except NotFound:
        raise NotFound("No such user.") from None
    user = await User.get_or_none(id=wanted, tenant_id=caller.tenant.id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def list_users(
    caller: ScimCaller, where: Q | None, start_index: int, count: int
) -> tuple[int, list[User]]:
    """One page, in creation order: (total matching, the page). start_index counts from 1."""
    query = users_of(caller, where)
    total = await query.count()
    if count == 0:
        return total, []
    page = await query.order_by("created_at", "id").offset(start_index - 1).limit(count)
    return total, list(page)


# ------------------------------------------------------------------ writing


async def create_user(caller: ScimCaller, values: UserValues) -> User:
    tenant = caller.tenant
    name = _user_name(values.user_name)
    email = _email(values)
    external_id = external_id_value(values.external_id)
    method = await _sign_in_method(tenant)
    async with in_transaction() as connection:
        await lock_tenant(connection, tenant.id)
        await _refuse_user_name_taken(tenant.id, name, connection, None)
        await refuse_taken(tenant.id, None, email, connection=connection)
        username = await free_username(tenant.id, name)
        user = await User.create(
            using_db=connection,
            tenant=tenant,
            username=username,
            username_key=validation.key(username),
            email=email,
            email_key=validation.key(email),
            role=UNMAPPED_ROLE,
            auth_method=method,
            email_verified=True,
            scim_user_name=name,
            scim_user_name_key=validation.key(name),
            external_id=external_id,
            scim_provisioned_at=datetime.now(UTC),
        )
        await audit.record(
            None,
            "user.provisioned",
            tenant_id=tenant.id,
            target_type="user",
            target_id=user.id,
            changes={
                "username": username,
                "userName": name,
                "email": email,
                "externalId": external_id,
                "role": user.role,
                "authMethod": method,
            },
            actor_name=caller.name,
        )
        if not values.active:
            await deactivate_locked(None, user, connection, actor_name=caller.name)
    await publish(user_change(ChangeKind.CREATED, user))
    return user


async def _locked_user(caller: ScimCaller, user_id: str, connection: BaseDBAsyncClient) -> User:
    """The tenant's user, its row locked after the instance and tenant locks (the order of
    deactivateUser and deleteUser); Forbidden for a superuser."""
    wanted = (await get_user(caller, user_id)).id
    await lock_instance(connection)
    await lock_tenant(connection, caller.tenant.id)
    user = await User.filter(id=wanted).select_for_update().using_db(connection).first()
    if user is None:
        raise NotFound("No such user.")
    return user


def _refuse_superuser(user: User) -> None:
    if user.superuser:
        raise Forbidden("A superuser's account is managed in Tenantry, not by SCIM.")


def _refuse_identity_change(user: User) -> None:
    """A user who signs in with a password Tenantry keeps (or PAM) and whom SCIM did not
    create keeps the e-mail address and username given in Tenantry: changed by SCIM, the
    address would receive a password reset link (or the name match another system account),
    so that a provisioning token would take over an account it never managed."""
    if user.scim_provisioned_at is None and user.auth_method is not AuthMethod.SAML:
        raise Forbidden(
            "This user was not created by SCIM and signs in with a password: their e-mail "
            "address and username are changed in Tenantry."
        )


# A PATCH: the new values from the user as they are, read under the user's lock, so that two
# PATCHes of one user apply one after the other rather than the later undoing the earlier.
Change = UserValues | Callable[[User], Awaitable[UserValues]]


async def replace_user(caller: ScimCaller, user_id: str, change: Change) -> User:
    """Set the user's SCIM attributes to the values given (PUT), or to those computed from
    the locked user (PATCH). Deactivation and reactivation follow `active`."""
    deactivated = reactivated = False
    async with in_transaction() as connection:
        user = await _locked_user(caller, user_id, connection)
        values = change if isinstance(change, UserValues) else await change(user)
        name = _user_name(values.user_name)
        email = _email(values)
        external_id = external_id_value(values.external_id)
        tenant_id = caller.tenant.id
        columns: dict[str, object] = {}
        if name != scim_user_name(user):
            await _refuse_user_name_taken(tenant_id, name, connection, user.id)
            columns["scim_user_name"] = name
            columns["scim_user_name_key"] = validation.key(name)
            if validation.key(name.partition("@")[0]) != validation.key(
                scim_user_name(user).partition("@")[0]
            ):
                username = await free_username(tenant_id, name, except_user=user.id)
                if username != user.username:
                    columns["username"] = username
                    columns["username_key"] = validation.key(username)
        if email != user.email:
            await refuse_taken(tenant_id, None, email, except_user=user.id, connection=connection)
            columns["email"] = email
            columns["email_key"] = validation.key(email)
            # A reset link mailed to the old address no longer opens the account.
            columns["password_reset_nonce"] = None
            columns["password_reset_expires_at"] = None
        if external_id != user.external_id:
            columns["external_id"] = external_id
        active = user.deactivated_at is None
        if (columns or values.active != active) and user.superuser:
            _refuse_superuser(user)
        if {"email", "username"} & columns.keys():
            _refuse_identity_change(user)
        if columns:
            await User.filter(id=user.id).using_db(connection).update(**columns)
            for column, value in columns.items():
                setattr(user, column, value)
            await audit.record(
                None,
                "user.updated",
                tenant_id=tenant_id,
                target_type="user",
                target_id=user.id,
                changes={_CHANGE_NAMES[c]: v for c, v in columns.items() if c in _CHANGE_NAMES},
                actor_name=caller.name,
            )
        if active and not values.active:
            await deactivate_locked(None, user, connection, actor_name=caller.name)
            deactivated = True
        elif not active and values.active:
            await reactivate_locked(None, user, connection, actor_name=caller.name)
            reactivated = True
    if deactivated:
        await publish_deactivation(user)
    elif columns or reactivated:
        await publish(user_change(ChangeKind.UPDATED, user))
    return user


_CHANGE_NAMES = {
    "scim_user_name": "userName",
    "username": "username",
    "email": "email",
    "external_id": "externalId",
}


async def remove_user(caller: ScimCaller, user_id: str) -> Removal:
    """DELETE: the user goes when they own nothing; otherwise they are deactivated (an
    identity provider cannot move what they own). LastAdmin when they are the last active
    admin; Forbidden for a superuser."""
    async with in_transaction() as connection:
        user = await _locked_user(caller, user_id, connection)
        _refuse_superuser(user)
        owns = (
            await Project.filter(owner_id=user.id).using_db(connection).exists()
            or await ApiToken.filter(owner_id=user.id).using_db(connection).exists()
        )
        if owns:
            if user.deactivated_at is None:
                await deactivate_locked(None, user, connection, actor_name=caller.name)
                removal = Removal.DEACTIVATED
            else:
                return Removal.DEACTIVATED
        else:
            if user.role is Role.ADMIN:
                await refuse_last_admin(user, connection)
            await audit.record(
                None,
                "user.deleted",
                tenant_id=caller.tenant.id,
                target_type="user",
                target_id=user.id,
                changes={"username": user.username, "email": user.email, "role": user.role},
                actor_name=caller.name,
            )
            await User.filter(id=user.id).using_db(connection).delete()
            removal = Removal.DELETED
    if removal is Removal.DEACTIVATED:
        await publish_deactivation(user)
    else:
        await publish(user_change(ChangeKind.DELETED, user))
    return removal
