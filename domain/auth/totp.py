"""Authenticator apps (TOTP, RFC 6238 with pyotp): enroll, confirm, check, turn off.

The secret is stored encrypted (Fernet under a key derived from the secret key). A code is
accepted within one 30-second step either side of now, and never twice: the factor keeps the
last step it accepted, and a conditional UPDATE lets one request through per step, so two
requests racing with one code get one answer each, exactly one of them yes.
"""

from __future__ import annotations

import hmac
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain import audit
from domain.auth import recovery_codes
from domain.auth.factors import (
    drop_recovery_codes_unless_factor,
    exempt,
    refuse_second_enrollment,
)
from domain.auth.login import check_credentials
from domain.errors import InvalidCredentials, ValidationFailed, require
from domain.ratelimit import Action, limiter
from domain.secrets import decrypt, encrypt
from models import MfaMethod, Tenant, TotpFactor, User
from permissions.rules import Actor, Op

ISSUER = "Tenantry"
STEP_SECONDS = 30
_CODE = re.compile(r"^[0-9]{6}$")


@dataclass(frozen=True)
class TotpSecret:
    secret: str
    otpauth_uri: str


def normal_code(code: str) -> str | None:
    """Six digits, as apps show them (a space in the middle is forgiven)."""
    if len(code) > 16:
        return None
    compact = code.replace(" ", "")
    return compact if _CODE.fullmatch(compact) else None


def _matching_step(secret: str, code: str, now: float) -> int | None:
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    found = None
    for step in (current - 1, current, current + 1):
        # Every candidate is compared, so the time taken says nothing about which matched.
        if hmac.compare_digest(totp.generate_otp(step), code) and found is None:
            found = step
    return found


async def accept_code(user_id: uuid.UUID, code: str, *, confirmed: bool = True) -> bool:
    """True when the code is right for the user's TOTP secret and its step is new."""
    normal = normal_code(code)
    factor = await TotpFactor.get_or_none(user_id=user_id, confirmed=confirmed)
    if normal is None or factor is None:
        return False
    secret = decrypt(factor.secret_encrypted)
    step = _matching_step(secret, normal, time.time()) if secret else None
    if step is None:
        return False
    taken = (
        await TotpFactor.filter(id=factor.id, confirmed=confirmed)
        .filter(Q(last_step__isnull=True) | Q(last_step__lt=step))
        .update(last_step=step)
    )
    return taken == 1


async def _own_user(actor: Actor) -> User:
    return await User.get(id=actor.user_id)


async def enroll_totp(actor: Actor) -> TotpSecret:
    """A new secret, pending until confirmTotp proves the app shows its codes."""
    require(actor, Op.ENROLL_TOTP)
    user = await _own_user(actor)
    if exempt(user):
        raise ValidationFailed("Your identity provider signs you in and owns your second factor.")
    if await TotpFactor.filter(user_id=user.id, confirmed=True).exists():
        raise ValidationFailed("An authenticator app is already on: turn it off first.")
    tenant = await Tenant.get(id=user.tenant_id)  # type: ignore[attr-defined]
    secret = pyotp.random_base32()  # 160 bits
    async with in_transaction() as connection:
        await TotpFactor.filter(user_id=user.id).using_db(connection).delete()
        await TotpFactor.create(
            using_db=connection, user_id=user.id, secret_encrypted=encrypt(secret)
        )
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=f"{user.username}@{tenant.name}", issuer_name=ISSUER
    )
    return TotpSecret(secret=secret, otpauth_uri=uri)


async def confirm_totp(actor: Actor, code: str) -> tuple[User, list[str]]:
    """Turn TOTP on with a code from the app; returns ten new recovery codes, shown once."""
    require(actor, Op.ENROLL_TOTP)
    user = await _own_user(actor)
    if normal_code(code) is None:
        raise ValidationFailed("Give the six digits your authenticator app shows.", "code")
    if not await TotpFactor.filter(user_id=user.id, confirmed=False).exists():
        raise ValidationFailed("Start with enrollTotp.", "code")
    if not await accept_code(user.id, code, confirmed=False):
        raise InvalidCredentials("That code is wrong or was used already.")
    async with in_transaction() as connection:
        await refuse_second_enrollment(actor, connection)
        turned_on = (
            await TotpFactor.filter(user_id=user.id, confirmed=False)
            .using_db(connection)
            .update(confirmed=True, confirmed_at=datetime.now(UTC))
        )
        if turned_on != 1:
            raise ValidationFailed("Start with enrollTotp.", "code")
        codes = await recovery_codes.replace_codes(user.id, connection)
        await audit.record(
            actor, "user.mfa_enabled", tenant_id=actor.tenant_id, target_type="user",
            target_id=user.id, changes={"method": MfaMethod.TOTP},
        )  # fmt: skip
    return user, codes


async def disable_totp(actor: Actor, current_password: str, code: str) -> User:
    """Turn TOTP off: the password and a code (from the app, or a recovery code)."""
    require(actor, Op.REMOVE_OWN_FACTOR)
    user = await _own_user(actor)
    if not await TotpFactor.filter(user_id=user.id, confirmed=True).exists():
        raise ValidationFailed("The authenticator app is not on.", "code")
    # Guesses at the password or the code: counted with completeLogin's, per account.
    await limiter().hit(Action.COMPLETE_LOGIN, client=None, account=str(user.id))
    if len(current_password) > 4 * 1024 or not await check_credentials(user, current_password):
        raise InvalidCredentials("The current password is wrong.")
    if not (await accept_code(user.id, code) or await recovery_codes.use_code(user.id, code)):
        raise InvalidCredentials("That code is wrong or was used already.")
    async with in_transaction() as connection:
        await TotpFactor.filter(user_id=user.id).using_db(connection).delete()
        await drop_recovery_codes_unless_factor(user.id, connection)
        await audit.record(
            actor, "user.mfa_disabled", tenant_id=actor.tenant_id, target_type="user",
            target_id=user.id, changes={"method": MfaMethod.TOTP},
        )  # fmt: skip
    return user
