"""The connection to Redis (shared rate limits, persisted queries) and what happens without it.

Redis is a convenience, not a dependency: while it does not answer, rate limits count in each
process (same limits, per process) and persisted queries are neither found nor stored there,
so clients send full documents. Each outage is logged once as it begins and once as it ends;
in between, Redis is tried again every PROBE_EVERY_SECONDS by one request, so a down Redis
costs the others no time. Answers given without Redis are counted in FALLBACKS (exported by
web/metrics.py as `tenantry_redis_fallbacks_total`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from enum import StrEnum

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from domain.outages import Outage

log = logging.getLogger("tenantry.redis")

PROBE_EVERY_SECONDS = 5.0
TIMEOUT_SECONDS = 1.0
# Errors that mean "Redis is not there", as opposed to a bug in how we call it.
UNAVAILABLE: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)


class Use(StrEnum):
    RATE_LIMIT = "rate_limit"
    PERSISTED_QUERY = "persisted_query"


# Answers given without Redis, by use.
FALLBACKS: Counter[Use] = Counter()


class RedisLink:
    """One pool per Redis URL in a process, shared by the limiter, the persisted-query store
    and /healthz, and one outage state, so an outage is logged once whoever meets it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pool = ConnectionPool.from_url(
            url,
            # A Redis that does not answer must not hold a request up.
            socket_connect_timeout=TIMEOUT_SECONDS,
            socket_timeout=TIMEOUT_SECONDS,
            # Once more, on a new connection: a pooled connection that a Redis restart closed
            # fails its first use, and that is no outage. Not after a timeout: a Redis that
            # hangs would cost the request twice the time.
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
            retry_on_error=[RedisConnectionError],
        )
        self.outage = Outage(
            log,
            began="redis unavailable: rate limits count per process and persisted queries "
            "are not shared until it returns",
            ended="redis available again: rate limits and persisted queries are shared",
            probe_every=PROBE_EVERY_SECONDS,
        )

    def client(self) -> Redis:
        return Redis(connection_pool=self.pool)

    def usable(self, use: Use) -> bool:
        """Whether to try Redis now; when not, the caller does without, and that is counted."""
        if self.outage.due_for_probe():
            return True
        FALLBACKS[use] += 1
        return False

    def failed(self, use: Use, error: BaseException) -> None:
        self.outage.began(error)
        FALLBACKS[use] += 1

    def answered(self) -> None:
        self.outage.ended()

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                await self.client().ping()
        except UNAVAILABLE as error:
            self.outage.began(error)
            return False
        self.outage.ended()
        return True


_links: dict[str, RedisLink] = {}


def link(url: str) -> RedisLink:
    if url not in _links:
        _links[url] = RedisLink(url)
    return _links[url]
