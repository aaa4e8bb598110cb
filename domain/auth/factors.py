"""Which second factors a user has. Queries only: the factors themselves live in totp.py,
recovery_codes.py and passkeys.py."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.errors import Forbidden
from models import (
    AuthMethod,
    MfaChallenge,
    MfaMethod,
    Passkey,
    PasskeyRegistration,
    RecoveryCode,
    TotpFactor,
    User,
)
from permissions.rules import Actor


def exempt(user: User) -> bool:
    """SAML users sign in through their IdP, which owns their second factor."""
    return user.auth_method is AuthMethod.SAML


async def methods_of(user_id: uuid.UUID) -> list[MfaMethod]:
    """The factors that can finish this user's sign-in, in the MfaMethod order."""
    methods = []
    if await TotpFactor.filter(user_id=user_id, confirmed=True).exists():
        methods.append(MfaMethod.TOTP)
    has_passkey = await Passkey.filter(user_id=user_id).exists()
    if methods or has_passkey:
        if await RecoveryCode.filter(user_id=user_id).exists():
            methods.append(MfaMethod.RECOVERY_CODE)
    if has_passkey:
        methods.append(MfaMethod.WEBAUTHN)
    return methods


async def has_factor(user_id: uuid.UUID, connection: BaseDBAsyncClient | None = None) -> bool:
    """A factor of its own (recovery codes back one up; they are none by themselves)."""
    return (
        await TotpFactor.filter(user_id=user_id, confirmed=True).using_db(connection).exists()
        or await Passkey.filter(user_id=user_id).using_db(connection).exists()
    )


async def mfa_enabled_among(user_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Of these users, those with a factor: two queries for a whole page."""
    ids = list(set(user_ids))
    with_totp = await TotpFactor.filter(user_id__in=ids, confirmed=True).values_list(
        "user_id", flat=True
    )
    with_passkey = await Passkey.filter(user_id__in=ids).values_list("user_id", flat=True)
    return {*with_totp, *with_passkey}  # type: ignore[misc]


async def drop_recovery_codes_unless_factor(
    user_id: uuid.UUID, connection: BaseDBAsyncClient
) -> None:
    """Recovery codes stand in for a factor; with the last factor gone, they go too."""
    if not await has_factor(user_id, connection):
        await RecoveryCode.filter(user_id=user_id).using_db(connection).delete()


async def remove_every_factor(user_id: uuid.UUID, connection: BaseDBAsyncClient) -> int:
    """resetMfa: factors, codes, registrations and sign-ins under way. Returns factors removed."""
    removed = await TotpFactor.filter(user_id=user_id, confirmed=True).using_db(connection).count()
    removed += await Passkey.filter(user_id=user_id).using_db(connection).count()
    await TotpFactor.filter(user_id=user_id).using_db(connection).delete()
    await Passkey.filter(user_id=user_id).using_db(connection).delete()
    await RecoveryCode.filter(user_id=user_id).using_db(connection).delete()
    await PasskeyRegistration.filter(user_id=user_id).using_db(connection).delete()
    await MfaChallenge.filter(user_id=user_id).using_db(connection).delete()
    return removed


async def refuse_second_enrollment(actor: Actor, connection: BaseDBAsyncClient) -> None:
    """Under the user's row lock: an enrollment-only caller (the password alone) may add the
    first factor and no other, however many enrollments race."""
    if not actor.enrollment_only:
        return
    await User.filter(id=actor.user_id).select_for_update().using_db(connection).first()
    if await has_factor(actor.user_id, connection):
        raise Forbidden(
            "This account has a second factor already: finish signing in with it (completeLogin)."
        )
