"""Deactivation instead of deletion: the user stays, with everything they own, but nothing
of theirs signs in or answers until they are reactivated.

Deactivated, a user signs in by no method (domain/auth/login.py `sign_in` and `login`, the
SAML account lookup), their sessions are deleted (and any a racing sign-in started is refused
and deleted on use: domain/auth/sessions.py), and their API tokens answer like unknown ones
(domain/auth/api_tokens.py) but are kept, so that reactivation restores them. Projects,
tokens and sent invitations stay where they are. Deactivated admins and superusers do not
count for the last-admin and last-superuser rules (domain/users.py `able_to_act`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain import audit
from domain.errors import Forbidden, NotFound
from domain.events import ChangeKind, access_change, publish, user_change
from domain.locks import lock_instance, lock_tenant
from domain.users import (
    able_to_act,
    access_managed_user,
    refuse_last_admin,
    refuse_last_superuser,
)
from models import Role, Session, User, UserStatus
from permissions.rules import Actor, Op


async def deactivate_user(actor: Actor, user_id: str) -> User:
    """Admins within their tenant (never superusers), superusers anywhere, themselves
    included. LastAdmin / LastSuperuser when the user is the last active one. Deactivating a
    deactivated user changes nothing."""
    user = await access_managed_user(actor, user_id, Op.DEACTIVATE_USER)
    tenant_id: uuid.UUID = user.tenant_id  # type: ignore[attr-defined]
    async with in_transaction() as connection:
        # The lock order of deleteUser (docs/architecture.md): instance (superusers), tenant
        # (admins), then the user's row. Role changes, superuser changes and deletions of the
        # same users wait here, and so does a second deactivation.
        await lock_instance(connection)
        await lock_tenant(connection, tenant_id)
        user = await _locked(user.id, connection)
        if user.superuser and not actor.superuser:
            raise Forbidden()  # made a superuser while this waited
        if user.deactivated_at is not None:
            return user
        await _refuse_deactivated_actor(actor, connection)
        await deactivate_locked(actor, user, connection)
    await publish_deactivation(user)
    return user


async def deactivate_locked(
    actor: Actor | None,
    user: User,
    connection: BaseDBAsyncClient,
    *,
    actor_name: str | None = None,
) -> None:
    """Deactivate an active user whose row the transaction holds under the locks above
    (deactivateUser, a SCIM `active: false` or DELETE). LastAdmin / LastSuperuser when the
    user is the last active one; publish_deactivation after the commit."""
    tenant_id: uuid.UUID = user.tenant_id  # type: ignore[attr-defined]
    if user.status is UserStatus.ACTIVE:
        # Only an active user counts: deactivating one who does not, takes nobody away.
        if user.role is Role.ADMIN:
            await refuse_last_admin(user, connection)
        if user.superuser:
            await refuse_last_superuser(user, connection)
    user.deactivated_at = datetime.now(UTC)
    await user.save(using_db=connection, update_fields=["deactivated_at"])
    ended = await Session.filter(user_id=user.id).using_db(connection).delete()
    await audit.record(
        actor,
        "user.deactivated",
        tenant_id=tenant_id,
        target_type="user",
        target_id=user.id,
        changes={"status": UserStatus.DEACTIVATED.name, "sessionsEnded": ended},
        actor_name=actor_name,
    )


async def publish_deactivation(user: User) -> None:
    # Their open subscriptions end (the caller is read again), others see the status change.
    tenant_id: uuid.UUID = user.tenant_id  # type: ignore[attr-defined]
    await publish(user_change(ChangeKind.UPDATED, user), access_change(user.id, tenant_id))


async def reactivate_user(actor: Actor, user_id: str) -> User:
    """Who may deactivate the user may reactivate them (a request made with an API token may
    not: it would bring the user's tokens back). Sign-in and the user's API tokens work again;
    their ended sessions stay ended."""
    user = await access_managed_user(actor, user_id, Op.REACTIVATE_USER)
    tenant_id: uuid.UUID = user.tenant_id  # type: ignore[attr-defined]
    async with in_transaction() as connection:
        await lock_tenant(connection, tenant_id)
        user = await _locked(user.id, connection)
        if user.superuser and not actor.superuser:
            raise Forbidden()
        if user.deactivated_at is None:
            return user
        await _refuse_deactivated_actor(actor, connection)
        await reactivate_locked(actor, user, connection)
    await publish(user_change(ChangeKind.UPDATED, user))
    return user


async def reactivate_locked(
    actor: Actor | None,
    user: User,
    connection: BaseDBAsyncClient,
    *,
    actor_name: str | None = None,
) -> None:
    """Reactivate a deactivated user whose row the transaction holds (reactivateUser, a SCIM
    `active: true`); publish a user change after the commit."""
    user.deactivated_at = None
    await user.save(using_db=connection, update_fields=["deactivated_at"])
    await audit.record(
        actor,
        "user.reactivated",
        tenant_id=user.tenant_id,  # type: ignore[attr-defined]
        target_type="user",
        target_id=user.id,
        changes={"status": user.status.name},
        actor_name=actor_name,
    )


async def _locked(user_id: uuid.UUID, connection: BaseDBAsyncClient) -> User:
    user = await User.filter(id=user_id).select_for_update().using_db(connection).first()
    if user is None:
        raise NotFound("No such user.")
    return user


async def _refuse_deactivated_actor(actor: Actor, connection: BaseDBAsyncClient) -> None:
    """The caller was active when the request began; under the lock, read again. Two admins
    deactivating each other at once: the second waits for the first, then finds itself
    deactivated, so exactly one succeeds however many admins remain."""
    if not await able_to_act().filter(id=actor.user_id).using_db(connection).exists():
        raise Forbidden("Your account is deactivated.")
