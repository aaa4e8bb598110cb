"""MFA challenges: what stands between a right password and a session.

The challenge token (256 bits, `tnm_` prefix, only its SHA-256 stored) names the user who
passed the first step and nothing else: completeLogin signs in that user or nobody. It lives
five minutes (fifteen when a factor must first be enrolled), is used once (a conditional
UPDATE: of concurrent completions one wins), and dies after MAX_ATTEMPTS wrong answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import F

from domain.auth.factors import has_factor
from domain.secrets import digest, new_token
from models import MfaChallenge, MfaMethod, User

CHALLENGE_PREFIX = "tnm_"
SIGN_IN_LIFETIME = timedelta(minutes=5)
# Scanning a QR code or finding a security key takes longer than typing a code.
ENROLLMENT_LIFETIME = timedelta(minutes=15)
MAX_ATTEMPTS = 5
_MAX_TOKEN_CHARS = 100


@dataclass(frozen=True)
class SecondStep:
    """The answer to a right password when a second factor is (or must become) needed."""

    challenge_token: str
    methods: tuple[MfaMethod, ...]
    expires_at: datetime
    webauthn_options_json: str | None
    enrollment_required: bool


async def issue(
    user: User,
    *,
    first_step: str,
    methods: tuple[MfaMethod, ...],
    enrollment_required: bool,
    webauthn: tuple[str, str] | None,
) -> SecondStep:
    """`webauthn`: the sign-in options' JSON and their challenge, when passkeys may answer."""
    token = new_token(CHALLENGE_PREFIX)
    expires_at = datetime.now(UTC) + (
        ENROLLMENT_LIFETIME if enrollment_required else SIGN_IN_LIFETIME
    )
    await MfaChallenge.create(
        user=user,
        token_hash=digest(token),
        first_step=first_step[:64],
        enrollment_required=enrollment_required,
        webauthn_challenge=webauthn[1] if webauthn else None,
        expires_at=expires_at,
    )
    return SecondStep(
        challenge_token=token,
        methods=methods,
        expires_at=expires_at,
        webauthn_options_json=webauthn[0] if webauthn else None,
        enrollment_required=enrollment_required,
    )


async def live_challenge(token: str) -> MfaChallenge | None:
    """The challenge a token names while it can still be answered; None otherwise."""
    if not token.startswith(CHALLENGE_PREFIX) or len(token) > _MAX_TOKEN_CHARS:
        return None
    try:
        hashed = digest(token)
    except UnicodeEncodeError:  # a lone surrogate: no token of ours
        return None
    challenge = (
        await MfaChallenge.filter(token_hash=hashed, used=False).select_related("user").first()
    )
    if (
        challenge is None
        or challenge.expires_at <= datetime.now(UTC)
        or challenge.attempts >= MAX_ATTEMPTS
        # Deactivated since the password step: no sign-in, and no enrollment either.
        or challenge.user.deactivated_at is not None
    ):
        return None
    return challenge


async def enrolling_user(token: str) -> User | None:
    """The user an enrollment challenge (tenant requires MFA, user has none) lets enroll.

    Only while the user still has no factor: the password alone may enroll the first one,
    never add another to an account a factor already protects (an enrollment token taken by
    someone who knows the password would otherwise outlive the owner's own enrollment)."""
    challenge = await live_challenge(token)
    if challenge is None or not challenge.enrollment_required:
        return None
    if await has_factor(challenge.user_id):  # type: ignore[attr-defined]
        return None
    return challenge.user


async def count_failure(challenge: MfaChallenge) -> None:
    """One wrong answer; the MAX_ATTEMPTS-th kills the challenge."""
    await MfaChallenge.filter(id=challenge.id).update(attempts=F("attempts") + 1)
    await MfaChallenge.filter(id=challenge.id, attempts__gte=MAX_ATTEMPTS).update(used=True)


async def consume(challenge: MfaChallenge) -> bool:
    """True for exactly one caller: the challenge is used up."""
    used = await MfaChallenge.filter(
        id=challenge.id,
        used=False,
        attempts__lt=MAX_ATTEMPTS,
        expires_at__gt=datetime.now(UTC),
    ).update(used=True)
    return used == 1
