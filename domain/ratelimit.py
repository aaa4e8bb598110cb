"""Rate limits per client address and per account, shared between processes through Redis.

Limits are checked inside the resolvers, once per attempt, so aliases and batches each count.
While Redis is down they count in the process instead (see domain/redis_link.py): logins keep
working, and each process still holds every caller to the limits.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import Enum

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from config import get_config
from domain import redis_link
from domain.errors import RateLimited


class Action(Enum):
    LOGIN = "login"
    SIGN_UP = "sign-up"
    ACCEPT_INVITATION = "accept-invitation"
    VERIFY_EMAIL = "verify-email"
    SEND_INVITATION = "send-invitation"
    # completeLogin and disableTotp: guesses at a second factor.
    COMPLETE_LOGIN = "complete-login"
    # Per client, and per address asked for (whether or not it has an account).
    REQUEST_PASSWORD_RESET = "request-password-reset"
    # Per client, and per link (the user it names): the token guesses one may make.
    RESET_PASSWORD = "reset-password"
    # Per caller, and per user mailed.
    SEND_PASSWORD_RESET = "send-password-reset"
    # Per caller, and per user whose address changes (each request mails both addresses).
    CHANGE_EMAIL = "change-email"
    CONFIRM_EMAIL_CHANGE = "confirm-email-change"
    # Per caller, and per sign-up domain: each check is a DNS query on the server's behalf.
    VERIFY_SIGNUP_DOMAIN = "verify-signup-domain"


@dataclass(frozen=True)
class Limits:
    per_client: RateLimitItem
    per_account: RateLimitItem


LIMITS: dict[Action, Limits] = {
    Action.LOGIN: Limits(parse("30/minute"), parse("10/minute")),
    Action.SIGN_UP: Limits(parse("10/hour"), parse("5/hour")),
    Action.ACCEPT_INVITATION: Limits(parse("20/minute"), parse("10/minute")),
    Action.VERIFY_EMAIL: Limits(parse("20/minute"), parse("10/minute")),
    # Counted per invitation, not per request: a sendInvitations batch of 100 rows counts 100.
    Action.SEND_INVITATION: Limits(parse("300/hour"), parse("300/hour")),
    Action.COMPLETE_LOGIN: Limits(parse("30/minute"), parse("20/hour")),
    Action.REQUEST_PASSWORD_RESET: Limits(parse("20/hour"), parse("5/hour")),
    Action.RESET_PASSWORD: Limits(parse("20/minute"), parse("10/minute")),
    Action.SEND_PASSWORD_RESET: Limits(parse("60/hour"), parse("5/hour")),
    Action.CHANGE_EMAIL: Limits(parse("30/hour"), parse("5/hour")),
    Action.CONFIRM_EMAIL_CHANGE: Limits(parse("20/minute"), parse("10/minute")),
    # Enough to retry every few minutes while DNS propagates.
    Action.VERIFY_SIGNUP_DOMAIN: Limits(parse("60/hour"), parse("20/hour")),
}


class RateLimiter:
    def __init__(
        self,
        storage: Storage,
        enabled: bool = True,
        redis: redis_link.RedisLink | None = None,
    ) -> None:
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(storage)
        self.enabled = enabled
        # With Redis: where attempts count while it is down.
        self.redis = redis
        self.local_storage = MemoryStorage()
        self.local = MovingWindowRateLimiter(self.local_storage)

    async def hit(
        self, action: Action, *, client: str | None, account: str | None, cost: int = 1
    ) -> None:
        """Count `cost` attempts at once; raise RateLimited, counting none of them on that
        limit, when either limit has fewer left."""
        if not self.enabled:
            return
        if self.redis is None:
            await self._hit(self.limiter, action, client, account, cost)
            return
        if self.redis.usable(redis_link.Use.RATE_LIMIT):
            try:
                await self._hit(self.limiter, action, client, account, cost)
            except (StorageError, *redis_link.UNAVAILABLE) as error:
                self.redis.failed(redis_link.Use.RATE_LIMIT, error)
            else:
                self.redis.answered()
                return
        await self._hit(self.local, action, client, account, cost)

    async def _hit(
        self,
        limiter: MovingWindowRateLimiter,
        action: Action,
        client: str | None,
        account: str | None,
        cost: int,
    ) -> None:
        rules = LIMITS[action]
        for item, key in ((rules.per_client, client), (rules.per_account, account)):
            if key is None:
                continue
            ident = (action.value, "client" if item is rules.per_client else "account", key)
            if not await limiter.hit(item, *ident, cost=cost):
                stats = await limiter.get_window_stats(item, *ident)
                raise RateLimited(math.ceil(stats.reset_time - time.time()))

    async def reset(self) -> None:
        await self.local_storage.reset()
        try:
            await self.storage.reset()
        except (StorageError, *redis_link.UNAVAILABLE):
            pass  # nothing to forget in a Redis that is not there


_limiter: RateLimiter | None = None


def limiter() -> RateLimiter:
    global _limiter
    if _limiter is None:
        config = get_config()
        if config.redis_url:
            redis = redis_link.link(config.redis_url)
            storage: Storage = storage_from_string(
                config.redis_url.replace("redis://", "async+redis://", 1),
                implementation="redispy",
                connection_pool=redis.pool,
                wrap_exceptions=True,
            )
            _limiter = RateLimiter(storage, enabled=config.rate_limits, redis=redis)
        else:
            _limiter = RateLimiter(MemoryStorage(), enabled=config.rate_limits)
    return _limiter


def reset_limiter() -> None:
    global _limiter
    _limiter = None
