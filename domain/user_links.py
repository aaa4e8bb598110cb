"""Links mailed to a user: `<user id>.<HMAC(nonce)>`, the nonce and its expiry on the user's row.

One shape for the sign-up verification, password reset and e-mail change links: 256 bits,
useless from a database dump alone (the HMAC key derives from the secret key), compared in
constant time, single use because using one clears its nonce with a conditional UPDATE.
Unknown, used, replaced, expired and forged tokens all give None, in like time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from domain import mail, validation
from domain.errors import NotFound
from domain.secrets import link_token_matches, signed_link_token, split_link_token
from models import User

_DUMMY_ID = "00000000-0000-0000-0000-000000000000"
# Longer than any token we make: not worth a database lookup.
_MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class UserLink:
    purpose: str  # the HMAC key's purpose: a token of one kind is no token of another
    nonce_field: str
    expires_field: str
    path: str  # the page the link opens (web/links.py)

    def nonce(self, user: User) -> str | None:
        return getattr(user, self.nonce_field)  # type: ignore[no-any-return]

    def expires_at(self, user: User) -> datetime | None:
        return getattr(user, self.expires_field)  # type: ignore[no-any-return]

    def live(self, user: User, now: datetime | None = None) -> bool:
        expires = self.expires_at(user)
        return (
            self.nonce(user) is not None
            and expires is not None
            and expires > (now or datetime.now(UTC))
        )

    def url(self, user: User) -> str | None:
        """The user's current link, or None when there is none (used, replaced, expired)."""
        nonce = self.nonce(user)
        if nonce is None or not self.live(user):
            return None
        return mail.public_link(self.path, signed_link_token(self.purpose, str(user.id), nonce))


VERIFICATION = UserLink(
    "verification", "verification_nonce", "verification_expires_at", "/verify-email"
)
PASSWORD_RESET = UserLink(
    "password-reset", "password_reset_nonce", "password_reset_expires_at", "/reset-password"
)
EMAIL_CHANGE = UserLink(
    "email-change", "email_change_nonce", "email_change_expires_at", "/confirm-email"
)


def link_subject(token: str) -> str:
    """The rate limits' key for a token: the user it names, or one key for every malformed one."""
    object_id = split_link_token(token) if len(token) <= _MAX_TOKEN_LENGTH else None
    return object_id or "malformed"


async def user_for_link(link: UserLink, token: str) -> User | None:
    """The user whose current, unexpired link this is; None for anything else."""
    object_id = split_link_token(token) if len(token) <= _MAX_TOKEN_LENGTH else None
    user = None
    if object_id is not None:
        try:
            user = await User.get_or_none(id=validation.object_id(object_id))
        except NotFound:
            user = None
    nonce = link.nonce(user) if user is not None else None
    if user is None or nonce is None:
        link_token_matches(link.purpose, token, _DUMMY_ID, "0" * 64)  # the same work
        return None
    if not link_token_matches(link.purpose, token, str(user.id), nonce):
        return None
    if not link.live(user):
        return None
    return user
