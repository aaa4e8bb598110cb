"""Users: access within the caller's reach, profile and role changes, the superuser bit."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain import audit, email_change, outbox, validation
from domain.auth.passwords import check_password_rules, hashing
from domain.errors import (
    AlreadyExists,
    EmailNotConfigured,
    Forbidden,
    LastAdmin,
    LastSuperuser,
    NotFound,
    UserOwnsObjects,
    require,
)
from domain.events import ChangeKind, publish, user_change
from domain.locks import lock_instance, lock_tenant
from domain.ratelimit import Action, limiter
from domain.signup_domains import require_allowed_domain
from domain.smtp_settings import current_server
from models import ApiToken, AuthMethod, Invitation, Project, Role, Tenant, User, UserStatus
from models.plain_pages import EVERY_ROW, Equal
from permissions.rules import Actor, Op, Scope, allowed, may_manage_user, reaches, scope


def actor_of(user: User, *, via_api_token: bool = False, enrollment_only: bool = False) -> Actor:
    return Actor(
        user_id=user.id,
        tenant_id=user.tenant_id,  # type: ignore[attr-defined]
        role=user.role,
        superuser=user.superuser,
        username=user.username,
        via_api_token=via_api_token,
        enrollment_only=enrollment_only,
    )


def is_self(actor: Actor, user_id: str | uuid.UUID) -> bool:
    try:
        return validation.object_id(user_id) == actor.user_id
    except NotFound:
        return False


async def access_user_by_id(actor: Actor, user_id: str | uuid.UUID, op: Op) -> User:
    """The user, when the operation reaches them; NotFound alike for missing and out of reach."""
    user = await User.get_or_none(id=validation.object_id(user_id))
    if user is None:
        raise NotFound("No such user.")
    if user.id == actor.user_id:
        return user
    if not reaches(actor, op, tenant_id=user.tenant_id):  # type: ignore[attr-defined]
        raise NotFound("No such user.")
    return user


async def access_managed_user(actor: Actor, user_id: str | uuid.UUID, op: Op) -> User:
    """The user, for an operation admins may apply within their tenant but never to a
    superuser: NotFound out of reach, Forbidden (FORBIDDEN) for an admin's superuser."""
    user = await access_user_by_id(actor, user_id, op)
    if not may_manage_user(
        actor,
        op,
        tenant_id=user.tenant_id,  # type: ignore[attr-defined]
        target_superuser=user.superuser,
    ):
        raise Forbidden()
    return user


# The longest text a search can find: an e-mail address (254 characters).
_LONGEST_NAME: int = User._meta.fields_map["email"].max_length  # type: ignore[attr-defined]


def users_in_reach(
    actor: Actor,
    *,
    tenant_id: str | uuid.UUID | None = None,
    search: str | None = None,
    role: Role | None = None,
    status: UserStatus | None = None,
) -> QuerySet[User]:
    """The users list: the caller's tenant. Superusers: every tenant's users ("all users on
    the system"), or the one tenant they name."""
    listed = users_in_reach_unfiltered(actor, tenant_id)
    if listed is None:
        return User.filter(id__in=[])
    query = User.all() if listed.column is None else User.filter(tenant_id=listed.value)
    if search:
        term = search.strip()
        if len(term) > _LONGEST_NAME or not validation.storable(term):
            # No username or e-mail holds it, and the database would refuse the pattern.
            return query.filter(id__in=[])
        query = query.filter(Q(username__icontains=term) | Q(email__icontains=term))
    if role is not None:
        query = query.filter(role=role)
    if status is not None:
        query = query.filter(_STATUS_FILTERS[status])
    return query


def users_in_reach_unfiltered(actor: Actor, tenant_id: str | uuid.UUID | None) -> Equal | None:
    """`users_in_reach` with no search, role or status, said as `Equal` (the page's SQL is then
    made once: models/plain_pages.py): the caller's tenant; superusers every tenant's, or the
    one they name. None: nobody's (a tenant ID that is no ID)."""
    if scope(actor, Op.LIST_USERS) is not Scope.ANY:
        return Equal("tenant_id", actor.tenant_id)
    if tenant_id is None:
        return EVERY_ROW
    try:
        return Equal("tenant_id", validation.object_id(tenant_id))
    except NotFound:
        return None


# The rows of each status (models/users.py `status_of`: deactivation wins).
_STATUS_FILTERS = {
    UserStatus.ACTIVE: Q(deactivated_at__isnull=True, email_verified=True),
    UserStatus.DEACTIVATED: Q(deactivated_at__isnull=False),
    UserStatus.PENDING_VERIFICATION: Q(deactivated_at__isnull=True, email_verified=False),
}


@dataclass(frozen=True)
class NewUser:
    tenant: Tenant
    username: str
    email: str
    role: Role
    auth_method: AuthMethod = AuthMethod.PASSWORD
    superuser: bool = False
    password: str | None = None
    email_verified: bool = True
    signed_up: bool = False


async def create_user(actor: Actor | None, new: NewUser, *, action: str) -> User:
    """Validate, hash (off the loop, before the transaction) and insert one user."""
    username = validation.username(new.username)
    email = validation.email(new.email)
    password_hash = None
    if new.password is not None:
        password = check_password_rules(
            new.password, username=username, tenant_name=new.tenant.name
        )
        password_hash = await hashing().hash(password)
    async with in_transaction() as connection:
        await refuse_taken(new.tenant.id, username, email)
        try:
            user = await User.create(
                using_db=connection,
                tenant=new.tenant,
                username=username,
                username_key=validation.key(username),
                email=email,
                email_key=validation.key(email),
                role=new.role,
                auth_method=new.auth_method,
                superuser=new.superuser,
                password_hash=password_hash,
                email_verified=new.email_verified,
                signed_up=new.signed_up,
            )
        except IntegrityError:
            raise AlreadyExists("That username or e-mail is taken.", "username") from None
        await audit.record(
            actor,
            action,
            tenant_id=new.tenant.id,
            target_type="user",
            target_id=user.id,
            changes={
                "username": username,
                "email": email,
                "role": new.role,
                "authMethod": new.auth_method,
                "superuser": new.superuser,
            },
            actor_name=None if actor else username,
        )
    await publish(user_change(ChangeKind.CREATED, user))
    return user


async def refuse_taken(
    tenant_id: uuid.UUID,
    username: str | None,
    email: str | None,
    *,
    except_user: uuid.UUID | None = None,
    connection: BaseDBAsyncClient | None = None,
) -> None:
    """AlreadyExists when a user of the tenant has the username or e-mail (in any case)."""
    users = User.filter(tenant_id=tenant_id).using_db(connection)
    if except_user is not None:
        users = users.exclude(id=except_user)
    await refuse_holders(users, username, email, "is taken", "is used")


async def refuse_holders(
    rows: QuerySet[Any], username: str | None, email: str | None, taken: str, used: str
) -> None:
    """AlreadyExists (the username first) when one of `rows` holds the username or e-mail.

    One query for both: callers run it under the tenant's lock, which every other sign-up,
    invitation and acceptance in the tenant waits for."""
    username_key = validation.key(username) if username else None
    email_key = validation.key(email) if email else None
    wanted = [Q(username_key=username_key)] if username_key else []
    wanted += [Q(email_key=email_key)] if email_key else []
    if not wanted:
        return
    # Keys are unique per tenant: at most one row holds each.
    holders = (
        await rows.filter(Q(*wanted, join_type="OR"))
        .limit(2)
        .values_list("username_key", "email_key")
    )
    if username_key and any(held == username_key for held, _ in holders):
        raise AlreadyExists(f"That username {taken} in this tenant.", "username")
    if email_key and any(held == email_key for _, held in holders):
        raise AlreadyExists(f"That e-mail address {used} in this tenant.", "email")


async def username_in_use(
    tenant_id: uuid.UUID, username: str, *, connection: BaseDBAsyncClient | None = None
) -> bool:
    """Held by a user of the tenant, or promised to someone by a pending invitation."""
    username_key = validation.key(username)
    return (
        await User.filter(tenant_id=tenant_id, username_key=username_key)
        .using_db(connection)
        .exists()
        or await Invitation.filter(tenant_id=tenant_id, username_key=username_key)
        .using_db(connection)
        .exists()
    )


_NOT_USERNAME = re.compile(r"[^A-Za-z0-9._-]+")


async def free_username(
    tenant_id: uuid.UUID, wanted: str, *, except_user: uuid.UUID | None = None
) -> str:
    """`wanted` made into a username (an e-mail address: its local part), a number appended
    while it is taken in the tenant (by a user other than `except_user`, or an invitation)."""
    base = _NOT_USERNAME.sub("-", wanted.partition("@")[0]).strip("._-")[:56] or "user"
    for n in range(1, 100):
        candidate = base if n == 1 else f"{base}-{n}"
        own = (
            except_user is not None
            and await User.filter(id=except_user, username_key=validation.key(candidate)).exists()
        )
        if own or not await username_in_use(tenant_id, candidate):
            return candidate
    raise AlreadyExists("No free username for this e-mail.", "username")


async def update_user(
    actor: Actor,
    user_id: str,
    *,
    email: str | None,
    role: Role | None,
) -> User:
    """Role changes apply at once; a new e-mail address waits for its confirmation link
    (domain/email_change.py). Setting the current address again cancels a pending change;
    changing only its case applies at once (it is the same address)."""
    if not allowed(actor, Op.CHANGE_ROLE) and not is_self(actor, user_id):
        # Guests and members change nobody else: FORBIDDEN, whether or not the ID exists.
        raise Forbidden()
    user = await access_user_by_id(actor, user_id, Op.LIST_USERS)
    on_self = user.id == actor.user_id
    changes_role = role is not None and role != user.role
    if (changes_role or not on_self) and not may_manage_user(
        actor,
        Op.CHANGE_ROLE,
        tenant_id=user.tenant_id,
        target_superuser=user.superuser,  # type: ignore[attr-defined]
    ):
        raise Forbidden()
    new_email = validation.email(email) if email is not None else None
    moves = new_email is not None and validation.key(new_email) != user.email_key
    if moves:
        assert new_email is not None  # for the type checker
        # Where reset links will go: never for an API-token request.
        require(actor, Op.CHANGE_EMAIL)
        if user.signed_up:
            await require_allowed_domain(user.tenant_id, new_email)  # type: ignore[attr-defined]
        await limiter().hit(Action.CHANGE_EMAIL, client=str(actor.user_id), account=str(user.id))
        if await current_server() is None:
            raise EmailNotConfigured()
    async with in_transaction() as connection:
        await lock_tenant(connection, user.tenant_id)  # type: ignore[attr-defined]
        user = await User.get(id=user.id).using_db(connection)
        if not on_self and user.superuser and not actor.superuser:
            # Made a superuser while this change waited for the lock: no longer the admin's.
            raise Forbidden()
        changes: dict[str, object] = {}
        pending_changed = moves
        if moves:
            assert new_email is not None
            await refuse_taken(user.tenant_id, None, new_email, except_user=user.id)  # type: ignore[attr-defined]
            await email_change.start(connection, actor, user, new_email)
        elif new_email is not None and validation.key(new_email) == user.email_key:
            if new_email != user.email:
                user.email = new_email
                changes["email"] = new_email
            if user.pending_email is not None:
                await email_change.cancel(connection, actor, user)
                pending_changed = True
        if changes_role and role is not None:
            if user.role is Role.ADMIN and role is not Role.ADMIN:
                await refuse_last_admin(user, connection)
            changes["role"] = role
            user.role = role
        if changes:
            # Only the changed columns: a whole-row save would write back a superuser bit
            # (or anything else) that another transaction changed since the read.
            columns = (["email"] if "email" in changes else []) + (
                ["role"] if "role" in changes else []
            )
            await user.save(using_db=connection, update_fields=columns)
            await audit.record(
                actor,
                "user.updated",
                tenant_id=user.tenant_id,  # type: ignore[attr-defined]
                target_type="user",
                target_id=user.id,
                changes=changes,
            )
    if moves:
        outbox.wake()
    if changes or pending_changed:
        await publish(user_change(ChangeKind.UPDATED, user))
    return user


def able_to_act() -> QuerySet[User]:
    """Users who can sign in and act. A self sign-up counts once its address is verified:
    until then it may never become usable, and the lapsed ones are deleted. A deactivated
    user counts only once reactivated. The last-admin and last-superuser rules count only
    these."""
    return User.filter(_STATUS_FILTERS[UserStatus.ACTIVE])


async def refuse_last_admin(user: User, connection: object) -> None:
    others = (
        await able_to_act()
        .filter(tenant_id=user.tenant_id, role=Role.ADMIN)
        .exclude(id=user.id)
        .using_db(connection)
        .count()
    )
    if others == 0:
        raise LastAdmin()


async def refuse_last_superuser(user: User, connection: object) -> None:
    others = (
        await able_to_act().filter(superuser=True).exclude(id=user.id).using_db(connection).count()
    )
    if others == 0:
        raise LastSuperuser()


async def set_superuser(actor: Actor, user_id: str, superuser: bool) -> User:
    if not actor.superuser:
        raise Forbidden()
    user = await access_user_by_id(actor, user_id, Op.SET_SUPERUSER)
    async with in_transaction() as connection:
        await lock_instance(connection)
        user = await User.get(id=user.id).using_db(connection)
        if user.superuser == superuser:
            return user
        if not superuser:
            await refuse_last_superuser(user, connection)
        user.superuser = superuser
        await user.save(using_db=connection, update_fields=["superuser"])
        await audit.record(
            actor,
            "user.superuser_changed",
            tenant_id=user.tenant_id,  # type: ignore[attr-defined]
            target_type="user",
            target_id=user.id,
            changes={"superuser": superuser},
        )
    await publish(user_change(ChangeKind.UPDATED, user))
    return user


async def delete_user(actor: Actor, user_id: str) -> uuid.UUID:
    """Admins within their tenant (never superusers), superusers anywhere.

    Refused while the user owns projects or API tokens (all of them listed), or when the
    tenant would lose its last admin or the instance its last superuser. Their sessions end
    with them (CASCADE); invitations they sent stay, with nobody as the sender (SET NULL).
    """
    user = await access_user_by_id(actor, user_id, Op.DELETE_USER)
    if not may_manage_user(
        actor,
        Op.DELETE_USER,
        tenant_id=user.tenant_id,
        target_superuser=user.superuser,  # type: ignore[attr-defined]
    ):
        raise Forbidden()
    tenant_id: uuid.UUID = user.tenant_id  # type: ignore[attr-defined]
    async with in_transaction() as connection:
        # Lock order, the same everywhere: instance, tenant, user rows. The user's row lock
        # waits for any transaction creating an object for them (domain.projects.lock_owner).
        await lock_instance(connection)
        await lock_tenant(connection, tenant_id)
        locked = await User.filter(id=user.id).select_for_update().using_db(connection).first()
        if locked is None:
            raise NotFound("No such user.")
        user = locked
        if user.superuser and not actor.superuser:
            raise Forbidden()
        projects = (
            await Project.filter(owner_id=user.id).order_by("name_key", "id").using_db(connection)
        )
        tokens = (
            await ApiToken.filter(owner_id=user.id)
            .order_by("created_at", "id")
            .using_db(connection)
        )
        if projects or tokens:
            raise UserOwnsObjects(projects, tokens)
        if user.role is Role.ADMIN:
            await refuse_last_admin(user, connection)
        if user.superuser:
            await refuse_last_superuser(user, connection)
        # Before the row goes: the event may name the user as its own actor (SET NULL later).
        await audit.record(
            actor,
            "user.deleted",
            tenant_id=tenant_id,
            target_type="user",
            target_id=user.id,
            changes={
                "username": user.username,
                "email": user.email,
                "role": user.role,
                "superuser": user.superuser,
            },
        )
        await User.filter(id=user.id).using_db(connection).delete()
    await publish(user_change(ChangeKind.DELETED, user))
    return user.id
