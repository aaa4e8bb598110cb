"""completeLogin: the second step of a sign-in, with a TOTP code, a recovery code or a passkey.

Limited three ways: per client address and per account (the challenge's user) through the
rate limiter, and per challenge (MAX_ATTEMPTS wrong answers end it). Each challenge needs a
right password first, and `login` is itself limited per account, so guessing codes costs
passwords: see docs/admins/second-factors-and-tenant-settings.md for the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.auth import challenges, passkeys, recovery_codes, totp
from domain.auth.login import SignedIn, sign_in
from domain.auth.sessions import ClientInfo
from domain.errors import InvalidCredentials, InvalidToken
from domain.ratelimit import Action, limiter
from models import MfaMethod


@dataclass(frozen=True)
class Proof:
    code: str | None = None
    recovery_code: str | None = None
    webauthn_response_json: str | None = None


async def complete_login(challenge_token: str, proof: Proof, client: ClientInfo) -> SignedIn:
    await limiter().hit(Action.COMPLETE_LOGIN, client=client.address, account=None)
    challenge = await challenges.live_challenge(challenge_token)
    if challenge is None:
        raise InvalidToken("This sign-in expired or was finished already: sign in again.")
    user = challenge.user
    await limiter().hit(Action.COMPLETE_LOGIN, client=None, account=str(user.id))
    given = [
        (method, value)
        for method, value in (
            (MfaMethod.TOTP, proof.code),
            (MfaMethod.RECOVERY_CODE, proof.recovery_code),
            (MfaMethod.WEBAUTHN, proof.webauthn_response_json),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise InvalidCredentials("Give one of code, recoveryCode or webauthnResponseJson.")
    method, value = given[0]
    match method:
        case MfaMethod.TOTP:
            right = await totp.accept_code(user.id, value)
        case MfaMethod.RECOVERY_CODE:
            right = await recovery_codes.use_code(user.id, value)
        case MfaMethod.WEBAUTHN:
            right = await passkeys.accept_assertion(user.id, challenge.webauthn_challenge, value)
    if not right:
        await challenges.count_failure(challenge)
        raise InvalidCredentials("That code is wrong or was used already.")
    if not await challenges.consume(challenge):
        raise InvalidToken("This sign-in expired or was finished already: sign in again.")
    return await sign_in(user, client, how=f"{challenge.first_step}+{method.value}")
