"""Verified e-mail changes: a new address takes effect once it confirms a mailed link.

`updateUser(email)` (domain/users.py) calls `start` for a new address: it becomes the user's
`pending_email`, the new address gets a confirmation link, the old one a notice (no link).
Asking again replaces the pending address and its link; setting the current address again
cancels it. `confirm` applies it, re-checking inside the transaction, under the tenant's lock
every sign-up and invitation takes, that no other user of the tenant has the address by then.

Admins changing a user's address go through the same confirmation: the change is theirs to
ask for, but only the new address's owner can make it happen. Confirming needs no session (the
link may be opened anywhere) and signs nobody in. The user's password reset link, mailed to the
old address, stops working.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from config import get_config
from domain import audit, mail, outbox, user_links, validation
from domain.auth.sessions import ClientInfo
from domain.errors import AlreadyExists, InvalidToken
from domain.events import ChangeKind, publish, user_change
from domain.locks import lock_tenant
from domain.ratelimit import Action, limiter
from domain.secrets import new_nonce
from models import EmailStatus, MailKind, OutboxMail, Tenant, User
from permissions.rules import Actor

_TAKEN = "That e-mail address is used in this tenant."


def _ttl() -> timedelta:
    return timedelta(hours=get_config().verification_ttl_hours)


def _requested_by(actor: Actor, user: User) -> str:
    if actor.user_id == user.id:
        return "You"
    return f"{actor.username} ({'a superuser' if actor.superuser else 'an admin'})"


async def start(connection: BaseDBAsyncClient, actor: Actor, user: User, new_email: str) -> None:
    """Inside the caller's transaction (under the tenant's lock): make `new_email` pending."""
    tenant = await Tenant.get(id=user.tenant_id).using_db(connection)  # type: ignore[attr-defined]
    expires_at = datetime.now(UTC) + _ttl()
    user.pending_email = new_email
    user.email_change_nonce = new_nonce()
    user.email_change_expires_at = expires_at
    await user.save(
        using_db=connection,
        update_fields=["pending_email", "email_change_nonce", "email_change_expires_at"],
    )
    # An earlier request's link, if its mail is still waiting, is dead now.
    await (
        OutboxMail.filter(user_id=user.id, kind=MailKind.EMAIL_CHANGE, status=EmailStatus.PENDING)
        .using_db(connection)
        .delete()
    )
    values = {
        "username": user.username,
        "tenant": tenant.name,
        "requested_by": _requested_by(actor, user),
        "new_email": new_email,
        "expires": expires_at.strftime("%Y-%m-%d %H:%M UTC"),
    }
    await outbox.enqueue(
        connection, MailKind.EMAIL_CHANGE,
        mail.render(mail.MailTemplate.EMAIL_CHANGE, new_email, **values), user_id=user.id,
    )  # fmt: skip
    await outbox.enqueue(
        connection, MailKind.EMAIL_CHANGE_NOTICE,
        mail.render(mail.MailTemplate.EMAIL_CHANGE_NOTICE, user.email, **values), user_id=user.id,
    )  # fmt: skip
    await audit.record(
        actor, "user.email_change_requested", tenant_id=tenant.id, target_type="user",
        target_id=user.id, changes={"pendingEmail": new_email},
    )  # fmt: skip


async def cancel(connection: BaseDBAsyncClient, actor: Actor, user: User) -> None:
    """Inside the caller's transaction: forget the pending address; its link stops working."""
    pending = user.pending_email
    user.pending_email = user.email_change_nonce = user.email_change_expires_at = None
    await user.save(
        using_db=connection,
        update_fields=["pending_email", "email_change_nonce", "email_change_expires_at"],
    )
    await audit.record(
        actor, "user.email_change_cancelled", tenant_id=user.tenant_id,  # type: ignore[attr-defined]
        target_type="user", target_id=user.id, changes={"pendingEmail": pending},
    )  # fmt: skip


async def user_for_confirmation_link(token: str) -> User | None:
    """The user a live confirmation link names (for the page, which never uses it up)."""
    user = await user_links.user_for_link(user_links.EMAIL_CHANGE, token)
    return user if user is not None and user.pending_email is not None else None


async def confirm(token: str, client: ClientInfo) -> User:
    await limiter().hit(
        Action.CONFIRM_EMAIL_CHANGE, client=client.address, account=user_links.link_subject(token)
    )
    user = await user_for_confirmation_link(token)
    if user is None or user.pending_email is None:
        raise InvalidToken()
    new_email, previous = user.pending_email, user.email
    tenant_id = user.tenant_id  # type: ignore[attr-defined]
    async with in_transaction() as connection:
        await lock_tenant(connection, tenant_id)
        # Someone may have taken the address since it was asked for: the change then waits
        # (the link keeps working until it expires) and nothing changes.
        taken = (
            await User.filter(tenant_id=tenant_id, email_key=validation.key(new_email))
            .exclude(id=user.id)
            .using_db(connection)
            .exists()
        )
        if taken:
            raise AlreadyExists(_TAKEN, "email")
        try:
            # Single use: only the request that still sees this nonce (and address) applies it.
            changed = (
                await User.filter(
                    id=user.id,
                    email_change_nonce=user.email_change_nonce,
                    email_change_expires_at__gt=datetime.now(UTC),
                    pending_email=new_email,
                )
                .using_db(connection)
                .update(
                    email=new_email,
                    email_key=validation.key(new_email),
                    pending_email=None,
                    email_change_nonce=None,
                    email_change_expires_at=None,
                    # Mailed to the old address: links follow the current one.
                    password_reset_nonce=None,
                    password_reset_expires_at=None,
                )
            )
        except IntegrityError:
            raise AlreadyExists(_TAKEN, "email") from None
        if not changed:
            raise InvalidToken()
        await audit.record(
            None, "user.email_changed", tenant_id=tenant_id, target_type="user",
            target_id=user.id, changes={"email": new_email, "previousEmail": previous},
            actor_name=user.username,
        )  # fmt: skip
    changed_user = await User.get(id=user.id)
    await publish(user_change(ChangeKind.UPDATED, changed_user))
    return changed_user
