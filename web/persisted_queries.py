"""Automatic persisted queries (Apollo's APQ protocol), `documentId` (the GraphQL-over-HTTP
persisted-documents appendix) and trusted documents.

APQ: a client sends `extensions.persistedQuery = {version: 1, sha256Hash}` without the query;
an unknown hash answers `PersistedQueryNotFound`, the client retries with the query and the
hash, and we store the document once it has validated. Hashes are checked, so nobody can plant
a document under another document's hash. The store is bounded (least recently used go first)
and lives in the database or in Redis, so every server process sees the same documents.

`documentId` (`sha256:<hex>`, 64 bare hex digits, or a manifest's own id) names a document
with no retry: the manifest's when trusted documents are on, else one registered by APQ.

Trusted documents (`TENANTRY_TRUSTED_DOCUMENTS`): a manifest fixes the documents that may run;
APQ registration is off, and any other document answers QUERY_NOT_IN_SAFELIST, whether it
comes as text, as text with a hash, or as a hash or id alone. A manifest whose ids are not the
documents' hashes is refused at start (web/trusted_manifest.py).
"""

from __future__ import annotations

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
from web.trusted_manifest import is_digest_of, load_manifest, sha256

SUPPORTED_VERSION = 1
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
# The database row's last_used_at is refreshed at most this often (reads stay reads).
_TOUCH_EVERY = timedelta(minutes=5)


class Refusal(StrEnum):
    """Why a document did not run; the value is the error's extensions.code."""

    NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    BAD_REQUEST = "BAD_REQUEST"
    NOT_TRUSTED = "QUERY_NOT_IN_SAFELIST"


class DocumentRefused(Exception):  # noqa: N818 - a refusal, not a failure
    def __init__(self, refusal: Refusal, message: str, *, retry_with_text: bool = False) -> None:
        super().__init__(message)
        self.refusal = refusal
        self.message = message
        # Apollo's APQ exchange: answered 200, and the client sends the document's text.
        self.retry_with_text = retry_with_text


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


class DocumentIdKind(StrEnum):
    SHA256 = "sha256"  # `sha256:<hex>`, or 64 bare hex digits
    CUSTOM = "custom"  # no prefix: the manifest's own id (a SHA-1, say)


# The appendix's document identifier: a prefixed one, or a custom one of unreserved characters.
_CUSTOM_ID = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")


def parse_document_id(document_id: str) -> tuple[DocumentIdKind, str]:
    """The kind and the key of a GraphQL-over-HTTP `documentId`; BAD_REQUEST when it is none."""
    prefix, colon, payload = document_id.partition(":")
    if colon:
        if prefix != "sha256":
            raise DocumentRefused(
                Refusal.BAD_REQUEST,
                "Unsupported documentId prefix: send `sha256:` and the document's SHA-256 in "
                "lower-case hex, or the id the trusted-documents manifest gives it.",
            )
        if not _SHA256.match(payload):
            raise DocumentRefused(
                Refusal.BAD_REQUEST,
                "A `sha256:` documentId is followed by 64 lower-case hexadecimal digits.",
            )
        return DocumentIdKind.SHA256, payload
    if not _CUSTOM_ID.match(document_id):
        raise DocumentRefused(
            Refusal.BAD_REQUEST,
            "`documentId` is `sha256:<hex>` or an id of letters, digits, `-`, `.`, `_` and `~`.",
        )
    if _SHA256.match(document_id):
        return DocumentIdKind.SHA256, document_id
    return DocumentIdKind.CUSTOM, document_id


@dataclass(frozen=True)
class Resolved:
    query: str | None
    # Set when the document should be stored under this hash once it has validated.
    register: str | None = None


_NOT_TRUSTED = "This server runs trusted documents only, and this operation is not one of them."


class PersistedQueries:
    def __init__(self, store: Store, trusted: dict[str, str] | None = None) -> None:
        self.store = store
        self.trusted = trusted
        self.cache = _LocalCache()

    async def resolve(
        self,
        query: str | None,
        extensions: dict[str, Any] | None,
        document_id: str | None = None,
        *,
        adhoc: bool = False,
    ) -> Resolved:
        """The document to run. `adhoc`: this caller may run a full text outside the trusted
        documents (see web/graphiql.py); it is never registered."""
        persisted = (extensions or {}).get("persistedQuery")
        if document_id is not None:
            if query is not None or persisted is not None:
                raise DocumentRefused(
                    Refusal.BAD_REQUEST,
                    "Send `documentId` alone: not with `query` or `extensions.persistedQuery`.",
                )
            return Resolved(await self._by_document_id(document_id))
        if persisted is None:
            if self.trusted is not None and query is not None and not adhoc:
                return Resolved(self._trusted_text(query))
            return Resolved(query)
        digest = _digest_of(persisted, sha1_too=self.trusted is not None)
        if self.trusted is not None:
            return self._trusted_by_hash(digest, query, adhoc=adhoc)
        if query is not None:
            if sha256(query) != digest:
                raise DocumentRefused(Refusal.HASH_MISMATCH, "provided sha does not match query")
            return Resolved(query, register=None if self.cache.get(digest) else digest)
        document = await self._stored(digest)
        if document is None:
            raise DocumentRefused(Refusal.NOT_FOUND, "PersistedQueryNotFound", retry_with_text=True)
        return Resolved(document)

    async def register(self, digest: str, document: str) -> None:
        await self.store.put(digest, document)
        self.cache.put(digest, document)

    async def _stored(self, digest: str) -> str | None:
        document = self.cache.get(digest) or await self.store.get(digest)
        if document is not None:
            self.cache.put(digest, document)
        return document

    async def _by_document_id(self, document_id: str) -> str:
        kind, key = parse_document_id(document_id)
        if self.trusted is not None:
            document = self.trusted.get(key)
            if document is None:
                raise DocumentRefused(Refusal.NOT_TRUSTED, _NOT_TRUSTED)
            return document
        # Without a manifest, ids name the documents clients registered by APQ (by SHA-256).
        document = await self._stored(key) if kind is DocumentIdKind.SHA256 else None
        if document is None:
            raise DocumentRefused(Refusal.NOT_FOUND, "No persisted document has this id.")
        return document

    def _trusted_by_hash(self, digest: str, query: str | None, *, adhoc: bool) -> Resolved:
        assert self.trusted is not None
        document = self.trusted.get(digest)
        if document is not None:
            if query is not None and query != document:
                raise DocumentRefused(Refusal.HASH_MISMATCH, "provided sha does not match query")
            return Resolved(document)
        if query is not None and sha256(query) in self.trusted:
            raise DocumentRefused(Refusal.HASH_MISMATCH, "provided sha does not match query")
        if adhoc:
            # The caller may run texts of their own: ask for it (Apollo's retry), never store it.
            if query is None:
                raise DocumentRefused(
                    Refusal.NOT_FOUND, "PersistedQueryNotFound", retry_with_text=True
                )
            if not is_digest_of(query, digest):
                raise DocumentRefused(Refusal.HASH_MISMATCH, "provided sha does not match query")
            return Resolved(query)
        # Not "not found": no text the client could send would be allowed to run either.
        raise DocumentRefused(Refusal.NOT_TRUSTED, _NOT_TRUSTED)

    def _trusted_text(self, query: str) -> str:
        assert self.trusted is not None
        if sha256(query) not in self.trusted:
            raise DocumentRefused(Refusal.NOT_TRUSTED, _NOT_TRUSTED)
        return query


def _digest_of(persisted: object, *, sha1_too: bool) -> str:
    """The hash in Apollo's `extensions.persistedQuery`: a SHA-256, bare or `sha256:`-prefixed
    (GraphQL Code Generator's hash, as its Apollo recipe sends it), or, against a manifest with
    SHA-1 ids, the SHA-1 that Apollo's link then sends in the same field."""
    if not isinstance(persisted, dict):
        raise DocumentRefused(Refusal.BAD_REQUEST, "extensions.persistedQuery must be an object")
    if persisted.get("version") != SUPPORTED_VERSION:
        raise DocumentRefused(Refusal.BAD_REQUEST, "Unsupported persisted query version")
    given = persisted.get("sha256Hash")
    if isinstance(given, str):
        digest = given.removeprefix("sha256:")
        if _SHA256.match(digest) or (sha1_too and given == digest and _SHA1.match(digest)):
            return digest
    raise DocumentRefused(
        Refusal.BAD_REQUEST, "extensions.persistedQuery.sha256Hash must be a SHA-256 hex digest"
    )


def persisted_queries_for(config: Any) -> PersistedQueries:
    """The store the configuration asks for: Redis when configured, else the database."""
    store: Store = (
        RedisStore(config.redis_url, config.persisted_query_capacity)
        if config.redis_url
        else DatabaseStore(config.persisted_query_capacity)
    )
    trusted = load_manifest(Path(config.trusted_documents)) if config.trusted_documents else None
    return PersistedQueries(store, trusted)
