"""Password reset: a single-use link, mailed only to a Password user's own address.

- `request_password_reset` answers the same, in the same time, whatever the tenant and address
  name: an account or none, a Password user or a PAM/SAML one, a verified address or a sign-up
  still waiting for its verification. Only a verified Password user gets mail.
- A new link replaces the user's earlier one (one nonce per user), so only the newest mail
  works; resetting, changing the password (`changePassword`) and confirming an e-mail change
  clear it. A link lives an hour (`RESET_TTL`).
- `reset_password` applies the password rules, ends every session of the user, and signs in
  (or, for a user with a second factor, answers the challenge completeLogin finishes).
  The conditional UPDATE on the nonce makes it single use under concurrency.
- `send_password_reset` is the admin's button: the same mail, to the user's own address.
  Nobody ever sees or sets another user's password.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from config import get_config
from domain import audit, mail, outbox, user_links, validation
from domain.auth.challenges import SecondStep
from domain.auth.login import SignedIn, after_first_step
from domain.auth.passwords import check_password_rules, hashing
from domain.auth.sessions import ClientInfo
from domain.errors import (
    AccountDeactivated,
    EmailNotConfigured,
    Forbidden,
    InvalidToken,
    ValidationFailed,
    require,
)
from domain.ratelimit import Action, limiter
from domain.secrets import new_nonce
from domain.smtp_settings import current_server
from domain.users import access_user_by_id
from models import (
    AuthMethod,
    EmailStatus,
    MailKind,
    OutboxMail,
    Session,
    Tenant,
    User,
    UserStatus,
)
from permissions.rules import Actor, Op, may_manage_user

RESET_TTL = timedelta(hours=1)

_TENANT_KEY_LENGTH: int = Tenant._meta.fields_map["name_key"].max_length  # type: ignore[attr-defined]


def resettable(user: User) -> bool:
    """Only an active (verified, not deactivated) Password user has a password here to reset."""
    return user.auth_method is AuthMethod.PASSWORD and user.status is UserStatus.ACTIVE


async def request_password_reset(tenant: str, email: str, client: ClientInfo) -> None:
    """Mail a reset link when the tenant has a verified Password user with that address.

    The answer (None) and its time are the same either way; only malformed input, the rate
    limits and an instance without SMTP answer otherwise, and those say nothing of the account.
    """
    address = validation.email(email)
    tenant_key = validation.lookup_key(tenant, _TENANT_KEY_LENGTH)
    await limiter().hit(
        Action.REQUEST_PASSWORD_RESET,
        client=client.address,
        account=f"{tenant_key}/{validation.key(address)}",
    )
    if await current_server() is None:
        raise EmailNotConfigured()
    started = time.monotonic()
    user = (
        await User.filter(tenant__name_key=tenant_key, email_key=validation.key(address)).first()
        if tenant_key
        else None
    )
    if user is not None and resettable(user):
        await _issue_link(user, None)
    wait = get_config().password_reset_answer_seconds - (time.monotonic() - started)
    await asyncio.sleep(max(wait, 0))


async def send_password_reset(actor: Actor, user_id: str, client: ClientInfo) -> User:
    """Admins (their tenant, never superusers) and superusers mail a user a reset link."""
    require(actor, Op.SEND_PASSWORD_RESET)
    user = await access_user_by_id(actor, user_id, Op.SEND_PASSWORD_RESET)
    if not may_manage_user(
        actor,
        Op.SEND_PASSWORD_RESET,
        tenant_id=user.tenant_id,  # type: ignore[attr-defined]
        target_superuser=user.superuser,
    ):
        raise Forbidden()
    await limiter().hit(Action.SEND_PASSWORD_RESET, client=str(actor.user_id), account=str(user.id))
    if await current_server() is None:
        raise EmailNotConfigured()
    if user.auth_method is not AuthMethod.PASSWORD:
        raise ValidationFailed(
            "This user signs in through PAM or single sign-on: their password is not kept here.",
            "userId",
        )
    if user.status is UserStatus.PENDING_VERIFICATION:
        raise ValidationFailed("This user has not verified their e-mail address yet.", "userId")
    if user.status is UserStatus.DEACTIVATED:
        raise ValidationFailed("This user is deactivated: reactivate them first.", "userId")
    await _issue_link(user, actor)
    return user


def _reset_mail(user: User, tenant: Tenant, expires_at: datetime) -> mail.Message:
    return mail.render(
        mail.MailTemplate.PASSWORD_RESET,
        user.email,
        username=user.username,
        tenant=tenant.name,
        expires=expires_at.strftime("%Y-%m-%d %H:%M UTC"),
    )


async def _issue_link(user: User, actor: Actor | None) -> None:
    """A new nonce (the older link stops working) and its mail, in one transaction."""
    expires_at = datetime.now(UTC) + RESET_TTL
    tenant = await Tenant.get(id=user.tenant_id)  # type: ignore[attr-defined]
    async with in_transaction() as connection:
        await (
            User.filter(id=user.id)
            .using_db(connection)
            .update(password_reset_nonce=new_nonce(), password_reset_expires_at=expires_at)
        )
        # The earlier link's mail may still be waiting: it would carry a dead link.
        await (
            OutboxMail.filter(
                user_id=user.id, kind=MailKind.PASSWORD_RESET, status=EmailStatus.PENDING
            )
            .using_db(connection)
            .delete()
        )
        await outbox.enqueue(
            connection, MailKind.PASSWORD_RESET, _reset_mail(user, tenant, expires_at),
            user_id=user.id,
        )  # fmt: skip
        await audit.record(
            actor, "user.password_reset_requested", tenant_id=tenant.id, target_type="user",
            target_id=user.id, changes={"by": "admin" if actor else "self-service"},
        )  # fmt: skip
    outbox.wake()


async def user_for_reset_link(token: str) -> User | None:
    """The user a live reset link names (for the page, which never uses the link up)."""
    user = await user_links.user_for_link(user_links.PASSWORD_RESET, token)
    return user if user is not None and resettable(user) else None


async def reset_password(
    token: str, new_password: str, client: ClientInfo
) -> SignedIn | SecondStep:
    await limiter().hit(
        Action.RESET_PASSWORD, client=client.address, account=user_links.link_subject(token)
    )
    user = await user_for_reset_link(token)
    if user is None:
        raise InvalidToken()
    tenant = await Tenant.get(id=user.tenant_id)  # type: ignore[attr-defined]
    # A password the rules refuse leaves the link usable: the page asks again.
    checked = check_password_rules(
        new_password, username=user.username, tenant_name=tenant.name, field="newPassword"
    )
    password_hash = await hashing().hash(checked)
    async with in_transaction() as connection:
        # Single use: of concurrent resets with one link, only one still sees its nonce.
        changed = (
            await User.filter(
                id=user.id,
                password_reset_nonce=user.password_reset_nonce,
                password_reset_expires_at__gt=datetime.now(UTC),
                auth_method=AuthMethod.PASSWORD,
                deactivated_at__isnull=True,
            )
            .using_db(connection)
            .update(
                password_hash=password_hash,
                password_reset_nonce=None,
                password_reset_expires_at=None,
            )
        )
        if not changed:
            raise InvalidToken()
        # Every session: whoever knew the old password may be signed in somewhere.
        ended = await Session.filter(user_id=user.id).using_db(connection).delete()
        await audit.record(
            None, "user.password_reset", tenant_id=tenant.id, target_type="user",
            target_id=user.id, changes={"sessionsEnded": ended}, actor_name=user.username,
        )  # fmt: skip
    user.password_hash = password_hash
    user.password_reset_nonce = None
    user.password_reset_expires_at = None
    # A reset proves the mailbox, not the second factor: a user with one (or whose tenant
    # requires one) gets the challenge completeLogin finishes, not a session.
    try:
        return await after_first_step(user, client, how="password-reset")
    except AccountDeactivated:  # deactivated since the reset: the password stays changed
        raise InvalidToken() from None
