"""Signing in and out, and changing one's password."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from config import get_config
from domain import audit, validation
from domain.auth import challenges, pam
from domain.auth.challenges import SecondStep
from domain.auth.factors import exempt, methods_of
from domain.auth.passkeys import sign_in_options
from domain.auth.passwords import MAX_LENGTH, check_password_rules, hashing
from domain.auth.sessions import ClientInfo, end_other_sessions, end_session, start_session
from domain.errors import AccountDeactivated, InvalidCredentials, ValidationFailed
from domain.events import access_change, publish
from domain.ratelimit import Action, limiter
from models import AuthMethod, MfaMethod, Passkey, Tenant, User, UserStatus
from permissions.rules import Actor


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_token: str


_TENANT_KEY_LENGTH: int = Tenant._meta.fields_map["name_key"].max_length  # type: ignore[attr-defined]
_USERNAME_KEY_LENGTH: int = User._meta.fields_map["username_key"].max_length  # type: ignore[attr-defined]


async def check_credentials(user: User | None, password: str) -> bool:
    """Password or PAM, as the account says; an unknown user costs one dummy verification."""
    if user is None or user.auth_method is AuthMethod.SAML:
        await hashing().verify(None, password)
        return False
    if user.auth_method is AuthMethod.PAM:
        return await pam.authenticate(user.username, password)
    if not await hashing().verify(user.password_hash, password):
        return False
    if user.password_hash and hashing().needs_rehash(user.password_hash):
        user.password_hash = await hashing().hash(password)
        await User.filter(id=user.id).update(password_hash=user.password_hash)
    return True


async def sign_in(user: User, client: ClientInfo, *, how: str) -> SignedIn:
    """Every path that signs a user in ends here: session, last login, audit.

    AccountDeactivated when the user is deactivated, read afresh here whatever the caller
    read before (a deactivation may have come in between). A deactivation committing after
    this check still ends the session: every request checks its user (auth/sessions.py)."""
    now = datetime.now(UTC)
    if not await User.filter(id=user.id, deactivated_at__isnull=True).update(last_login_at=now):
        raise AccountDeactivated()
    user.last_login_at = now
    token = await start_session(user, client)
    await audit.record(
        None,
        "user.signed_in",
        tenant_id=user.tenant_id,  # type: ignore[attr-defined]
        target_type="user",
        target_id=user.id,
        changes={"method": how},
        actor_name=user.username,
    )
    return SignedIn(user=user, session_token=token)


async def after_first_step(user: User, client: ClientInfo, *, how: str) -> SignedIn | SecondStep:
    """Every path that proved who someone is (a password, PAM, an invitation, a verified
    e-mail) ends here: a session, or an MFA challenge when the user has a second factor or
    the tenant requires one they have yet to enroll. SAML users are exempt: their IdP owns
    their second factor (domain/saml signs them in with `sign_in` directly)."""
    if exempt(user):
        return await sign_in(user, client, how=how)
    methods = await methods_of(user.id)
    if methods:
        passkeys = await Passkey.filter(user_id=user.id) if MfaMethod.WEBAUTHN in methods else []
        return await challenges.issue(
            user,
            first_step=how,
            methods=tuple(methods),
            enrollment_required=False,
            webauthn=sign_in_options(passkeys) if passkeys else None,
        )
    tenant = await Tenant.get(id=user.tenant_id)  # type: ignore[attr-defined]
    if tenant.require_mfa:
        # The options carry a challenge for the passkey about to be registered; the browser
        # names that passkey in allowCredentials when it signs.
        return await challenges.issue(
            user,
            first_step=how,
            methods=(MfaMethod.TOTP, MfaMethod.WEBAUTHN),
            enrollment_required=True,
            webauthn=sign_in_options([]),
        )
    return await sign_in(user, client, how=how)


async def login(
    tenant: str, username: str, password: str, client: ClientInfo
) -> SignedIn | SecondStep:
    if not tenant.strip() or not username.strip():
        raise ValidationFailed("Give a tenant and a username.", "username")
    if len(password) > 4 * 1024:
        raise ValidationFailed("The password is too long.", "password")
    tenant_key = validation.lookup_key(tenant, _TENANT_KEY_LENGTH)
    username_key = validation.lookup_key(username, _USERNAME_KEY_LENGTH)
    names_an_account = tenant_key is not None and username_key is not None
    account = f"{tenant_key}/{username_key}" if names_an_account else None
    await limiter().hit(Action.LOGIN, client=client.address, account=account)
    user = (
        await User.filter(tenant__name_key=tenant_key, username_key=username_key).first()
        if names_an_account
        else None
    )
    started = time.monotonic()
    ok = await check_credentials(user, password)
    if not ok or user is None or user.status is not UserStatus.ACTIVE:
        # Unverified and deactivated accounts answer like a wrong password, in the same time.
        await asyncio.sleep(get_config().login_failure_seconds - (time.monotonic() - started))
        raise InvalidCredentials()
    return await after_first_step(user, client, how=user.auth_method.value)


async def logout(actor: Actor | None, token: str | None) -> None:
    if actor is None or not token:
        return
    await end_session(token)
    await publish(access_change(actor.user_id, actor.tenant_id))
    await audit.record(
        actor,
        "user.signed_out",
        tenant_id=actor.tenant_id,
        target_type="user",
        target_id=actor.user_id,
    )


async def change_password(
    actor: Actor, current_password: str, new_password: str, keep_token: str | None
) -> User:
    user = await User.get(id=actor.user_id).prefetch_related("tenant")
    if user.auth_method is not AuthMethod.PASSWORD:
        raise ValidationFailed(
            "This account signs in through PAM or SSO: its password is managed there.",
            "newPassword",
        )
    if len(current_password) > MAX_LENGTH or not await hashing().verify(
        user.password_hash, current_password
    ):
        raise InvalidCredentials("The current password is wrong.")
    password = check_password_rules(
        new_password, username=user.username, tenant_name=user.tenant.name, field="newPassword"
    )
    user.password_hash = await hashing().hash(password)
    # A reset link mailed earlier would set the password again: it stops working.
    await User.filter(id=user.id).update(
        password_hash=user.password_hash, password_reset_nonce=None, password_reset_expires_at=None
    )
    await end_other_sessions(user.id, keep_token)
    await publish(access_change(user.id, user.tenant_id))  # type: ignore[attr-defined]
    await audit.record(
        actor,
        "user.password_changed",
        tenant_id=user.tenant_id,  # type: ignore[attr-defined]
        target_type="user",
        target_id=user.id,
    )
    return user
