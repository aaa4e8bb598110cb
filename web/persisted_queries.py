"""Automatic persisted queries (Apollo's APQ protocol) and trusted documents.

APQ: a client sends `extensions.persistedQuery = {version: 1, sha256Hash}` without the query;
an unknown hash answers `PersistedQueryNotFound`, the client retries with the query and the
hash, and we store the document once it has validated. Hashes are checked, so nobody can plant
a document under another document's hash. The store is bounded (least recently used go first)
and lives in the database or in Redis, so every server process sees the same documents.

Trusted documents (`TENANTRY_TRUSTED_DOCUMENTS`): a manifest fixes the documents that may run;
APQ registration is off and any other document is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from tortoise.exceptions import IntegrityError

from domain import redis_link
from models import PersistedQuery

SUPPORTED_VERSION = 1
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# The database row's last_used_at is refreshed at most this often (reads stay reads).
_TOUCH_EVERY = timedelta(minutes=5)


class Refusal(StrEnum):
    """Why a document did not run; the value is the error's extensions.code."""

    NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    BAD_REQUEST = "BAD_REQUEST"
    NOT_TRUSTED = "QUERY_NOT_IN_SAFELIST"


class DocumentRefused(Exception):  # noqa: N818 - a refusal, not a failure
    def __init__(self, refusal: Refusal, message: str) -> None:
        super().__init__(message)
        self.refusal = refusal
        self.message = message


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


class Store(Protocol):
    async def get(self, digest: str) -> str | None: ...

    async def put(self, digest: str, document: str) -> None: ...


class DatabaseStore:
    """The `persisted_query` table; trimmed to `capacity` by least recent use."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity

    async def get(self, digest: str) -> str | None:
        row = await PersistedQuery.get_or_none(sha256=digest)
        if row is None:
            return None
        now = datetime.now(UTC)
        if now - row.last_used_at > _TOUCH_EVERY:
            await PersistedQuery.filter(sha256=digest).update(last_used_at=now)
        return row.document

    async def put(self, digest: str, document: str) -> None:
        if await PersistedQuery.exists(sha256=digest):
            return
        try:
            await PersistedQuery.create(sha256=digest, document=document)
        except IntegrityError:
            return  # another process registered it first
        excess = await PersistedQuery.all().count() - self.capacity
        if excess > 0:
            oldest = (
                await PersistedQuery.all()
                .order_by("last_used_at", "created_at")
                .limit(excess)
                .values_list("sha256", flat=True)
            )
            await PersistedQuery.filter(sha256__in=list(oldest)).delete()


class RedisStore:
    """Documents as keys, plus a sorted set of last use that bounds them.

    While Redis is down (domain/redis_link.py) a lookup finds nothing, so the client sends the
    full document, which runs; storing it is skipped. Never an error for the client.
    """

    def __init__(self, url: str, capacity: int, prefix: str = "tenantry:apq:") -> None:
        self.link = redis_link.link(url)
        self.redis = self.link.client()
        self.capacity = capacity
        self.prefix = prefix
        self.index = f"{prefix}index"

    async def get(self, digest: str) -> str | None:
        if not self.link.usable(redis_link.Use.PERSISTED_QUERY):
            return None
        try:
            document = await self.redis.get(self.prefix + digest)
            if document is not None:
                await self.redis.zadd(self.index, {digest: time.time()})
        except redis_link.UNAVAILABLE as error:
            self.link.failed(redis_link.Use.PERSISTED_QUERY, error)
            return None
        self.link.answered()
        return document.decode() if document is not None else None

    async def put(self, digest: str, document: str) -> None:
        if not self.link.usable(redis_link.Use.PERSISTED_QUERY):
            return
        try:
            await self._put(digest, document)
        except redis_link.UNAVAILABLE as error:
            self.link.failed(redis_link.Use.PERSISTED_QUERY, error)
            return
        self.link.answered()

    async def _put(self, digest: str, document: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.prefix + digest, document)
            pipe.zadd(self.index, {digest: time.time()})
            pipe.zcard(self.index)
            *_, size = await pipe.execute()
        if size > self.capacity:
            evicted = await self.redis.zpopmin(self.index, size - self.capacity)
            if evicted:
                await self.redis.delete(*(self.prefix + d.decode() for d, _ in evicted))

    async def clear(self) -> None:
        keys = [key async for key in self.redis.scan_iter(f"{self.prefix}*")]
        if keys:
            await self.redis.delete(*keys)


class _LocalCache:
    """Documents never change under their hash, so each process may keep the hot ones."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self.entries: OrderedDict[str, str] = OrderedDict()

    def get(self, digest: str) -> str | None:
        document = self.entries.get(digest)
        if document is not None:
            self.entries.move_to_end(digest)
        return document

    def put(self, digest: str, document: str) -> None:
        self.entries[digest] = document
        self.entries.move_to_end(digest)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


def load_manifest(path: Path) -> dict[str, str]:
    """Hash → document, from `{hash: document}` or Apollo's persisted-query manifest."""
    raw = json.loads(path.read_text())
    documents: dict[str, str] = {}
    if isinstance(raw, dict) and raw.get("format") == "apollo-persisted-query-manifest":
        for operation in raw.get("operations", []):
            documents[str(operation["id"])] = str(operation["body"])
    elif isinstance(raw, dict):
        documents = {str(key): str(value) for key, value in raw.items()}
    else:
        raise ValueError(f"{path}: a trusted-documents manifest is a JSON object")
    # A client may also send a trusted document's full text: index it by its own hash too.
    for document in list(documents.values()):
        documents.setdefault(sha256(document), document)
    return documents


@dataclass(frozen=True)
class Resolved:
    query: str | None
    # Set when the document should be stored under this hash once it has validated.
    register: str | None = None


class PersistedQueries:
    def __init__(self, store: Store, trusted: dict[str, str] | None = None) -> None:
        self.store = store
        self.trusted = trusted
        self.cache = _LocalCache()

    async def resolve(
        self, query: str | None, extensions: dict[str, Any] | None, *, adhoc: bool = False
    ) -> Resolved:
        """The document to run. `adhoc`: this caller may run a full text outside the trusted
        documents (see web/graphiql.py); it is never registered."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if self.trusted is not None and query is not None and not adhoc:
                return Resolved(self._trusted_text(query))
            return Resolved(query)
        digest = _digest_of(persisted)
        if self.trusted is not None:
            document = self.trusted.get(digest)
            if document is None:
                raise DocumentRefused(Refusal.NOT_FOUND, "PersistedQueryNotFound")
            if query is not None and query != document:
                raise DocumentRefused(Refusal.HASH_MISMATCH, "provided sha does not match query")
            return Resolved(document)
        if query is not None:
            if sha256(query) != digest:
                raise DocumentRefused(Refusal.HASH_MISMATCH, "provided sha does not match query")
            return Resolved(query, register=None if self.cache.get(digest) else digest)
        document = self.cache.get(digest) or await self.store.get(digest)
        if document is None:
            raise DocumentRefused(Refusal.NOT_FOUND, "PersistedQueryNotFound")
        self.cache.put(digest, document)
        return Resolved(document)

    async def register(self, digest: str, document: str) -> None:
        await self.store.put(digest, document)
        self.cache.put(digest, document)

    def _trusted_text(self, query: str) -> str:
        assert self.trusted is not None
        if sha256(query) not in self.trusted:
            raise DocumentRefused(
                Refusal.NOT_TRUSTED,
                "This server runs trusted documents only, and this operation is not one of them.",
            )
        return query


def _digest_of(persisted: object) -> str:
    if not isinstance(persisted, dict):
        raise DocumentRefused(Refusal.BAD_REQUEST, "extensions.persistedQuery must be an object")
    if persisted.get("version") != SUPPORTED_VERSION:
        raise DocumentRefused(Refusal.BAD_REQUEST, "Unsupported persisted query version")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _SHA256.match(digest):
        raise DocumentRefused(
            Refusal.BAD_REQUEST, "extensions.persistedQuery.sha256Hash must be a SHA-256 hex digest"
        )
    return digest


def persisted_queries_for(config: Any) -> PersistedQueries:
    """The store the configuration asks for: Redis when configured, else the database."""
    store: Store = (
        RedisStore(config.redis_url, config.persisted_query_capacity)
        if config.redis_url
        else DatabaseStore(config.persisted_query_capacity)
    )
    trusted = load_manifest(Path(config.trusted_documents)) if config.trusted_documents else None
    return PersistedQueries(store, trusted)
