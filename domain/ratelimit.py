"""Rate limits per client address and per account, shared between processes through Redis.

Limits are checked inside the resolvers, once per attempt, so aliases and batches each count.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import Enum

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from config import get_config
from domain.errors import RateLimited


class Action(Enum):
    LOGIN = "login"
    SIGN_UP = "sign-up"
    ACCEPT_INVITATION = "accept-invitation"
    VERIFY_EMAIL = "verify-email"
    SEND_INVITATION = "send-invitation"
    # completeLogin and disableTotp: guesses at a second factor.
    COMPLETE_LOGIN = "complete-login"


@dataclass(frozen=True)
class Limits:
    per_client: RateLimitItem
    per_account: RateLimitItem


LIMITS: dict[Action, Limits] = {
    Action.LOGIN: Limits(parse("30/minute"), parse("10/minute")),
    Action.SIGN_UP: Limits(parse("10/hour"), parse("5/hour")),
    Action.ACCEPT_INVITATION: Limits(parse("20/minute"), parse("10/minute")),
    Action.VERIFY_EMAIL: Limits(parse("20/minute"), parse("10/minute")),
    Action.SEND_INVITATION: Limits(parse("60/hour"), parse("60/hour")),
    Action.COMPLETE_LOGIN: Limits(parse("30/minute"), parse("20/hour")),
}


class RateLimiter:
    def __init__(self, storage: Storage, enabled: bool = True) -> None:
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(storage)
        self.enabled = enabled

    async def hit(self, action: Action, *, client: str | None, account: str | None) -> None:
        """Count one attempt; raise RateLimited when either limit is spent."""
        if not self.enabled:
            return
        rules = LIMITS[action]
        for item, key in ((rules.per_client, client), (rules.per_account, account)):
            if key is None:
                continue
            ident = (action.value, "client" if item is rules.per_client else "account", key)
            if not await self.limiter.hit(item, *ident):
                stats = await self.limiter.get_window_stats(item, *ident)
                raise RateLimited(math.ceil(stats.reset_time - time.time()))

    async def reset(self) -> None:
        await self.storage.reset()


_limiter: RateLimiter | None = None


def limiter() -> RateLimiter:
    global _limiter
    if _limiter is None:
        config = get_config()
        storage: Storage = (
            storage_from_string(
                config.redis_url.replace("redis://", "async+redis://", 1),
                implementation="redispy",
            )
            if config.redis_url
            else MemoryStorage()
        )
        _limiter = RateLimiter(storage, enabled=config.rate_limits)
    return _limiter


def reset_limiter() -> None:
    global _limiter
    _limiter = None
