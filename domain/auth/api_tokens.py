"""API tokens as credentials: `Authorization: Bearer tnt_…` acts as the token's owner.

An expired token, or one whose owner is a guest, unverified or deactivated, answers exactly
like an unknown one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from domain.secrets import digest
from models import ApiToken, Role, User
from models.joined import JoinedLookup

API_TOKEN_PREFIX = "tnt_"
_TOUCH_INTERVAL = timedelta(minutes=1)
# The token and its owner: an API client's every request starts with it.
_TOKEN_BY_HASH = JoinedLookup(
    [(ApiToken, "k"), (User, "u")],
    relations=["owner"],
    joins='"api_token" k JOIN "user" u ON u."id" = k."owner_id"',
    where='k."token_hash" = {0}',
    parameters=1,
)


async def user_for_api_token(token: str) -> User | None:
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    row = await _TOKEN_BY_HASH.first(digest(token))
    if not isinstance(row, ApiToken):
        return None
    now = datetime.now(UTC)
    if row.expires_at is not None and row.expires_at <= now:
        return None  # answered like an unknown token
    owner: User = row.owner
    # The owner's current state decides: a guest holds no tokens' powers, and a deactivated
    # owner's tokens rest (kept, so that reactivation brings them back).
    if owner.role is Role.GUEST or not owner.email_verified or owner.deactivated_at is not None:
        return None
    if row.last_used_at is None or now - row.last_used_at >= _TOUCH_INTERVAL:
        # Conditional, so that concurrent requests write at most once a minute between them.
        await ApiToken.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - _TOUCH_INTERVAL), id=row.id
        ).update(last_used_at=now)
    return owner
