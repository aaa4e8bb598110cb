"""Change events: what subscriptions deliver, on every server process.

A domain function that creates, changes or deletes an invitation or a user publishes a `Change`
once its transaction has committed. A change carries ids, the tenant and the kind only, never
the object's data: each subscription reads the object again, with its caller's permissions
read again too (domain/subscriptions.py).

How changes travel:
- PostgreSQL: `pg_notify` on one channel, `tenantry_changes`. Called inside an open transaction
  it is sent on that transaction's commit; after one, at once. Every server process LISTENs
  on one dedicated asyncpg connection (`listening`) and hands what arrives to its hub. A
  process also receives its own notifications, so there is one path for all.
- SQLite: straight to the hub; between the workers of `serve --workers N`, through their
  Unix-socket relay (domain/event_relay.py).

Behind a transaction pooler (PgBouncer, `TENANTRY_DATABASE_POOLER=transaction`) NOTIFY still
works, since it is sent on commit, but LISTEN does not: the pooler hands the listening server
connection to other clients between transactions, and notifications arrive wherever it went.
So the LISTEN connection goes straight to PostgreSQL on `TENANTRY_DATABASE_DIRECT_URL`; without
one, subscriptions are refused with a message saying why, rather than silently missing
changes made by other processes.

Delivery is at most once: a process that dies between a commit and its NOTIFY loses that
event, and a listener whose connection dropped ends every subscription of its process (their
clients subscribe again and read afresh) rather than pretend it missed nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

import orjson
from tortoise import connections
from tortoise.backends.base.config_generator import expand_db_url

from config import Config, DatabasePooler, get_config
from domain.event_relay import Relay, relay_directory

log = logging.getLogger("tenantry.events")

CHANNEL = "tenantry_changes"
# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; a change takes about 150.
_PER_NOTIFY = 40
# Changes a subscription may have waiting; beyond, it ends (its client reads afresh).
FEED_CAPACITY = 1000
_HEALTH_CHECK_SECONDS = 30.0
_RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)
# How the LISTEN connection shows in pg_stat_activity.
APPLICATION_NAME = "tenantry-listen"


class Subject(Enum):
    INVITATION = "i"
    USER = "u"
    # A user's sessions or API tokens ended (sign-out, password change, revocation): their
    # subscriptions read their credential again at once. Never delivered to clients.
    ACCESS = "a"


class ChangeKind(Enum):
    CREATED = "c"
    UPDATED = "u"
    DELETED = "d"


@dataclass(frozen=True, slots=True)
class Change:
    subject: Subject
    kind: ChangeKind
    id: uuid.UUID
    tenant_id: uuid.UUID
    # An invitation's inviter: members see the invitations they sent.
    owner_id: uuid.UUID | None = None

    def encode(self) -> list[str | None]:
        owner = str(self.owner_id) if self.owner_id else None
        return [self.subject.value, self.kind.value, str(self.id), str(self.tenant_id), owner]

    @classmethod
    def decode(cls, item: Any) -> Change | None:
        """None for anything that is not a change we wrote (the channel is open to any
        database user): it is dropped, never trusted."""
        try:
            subject, kind, object_id, tenant_id, owner_id = item
            return cls(
                Subject(subject),
                ChangeKind(kind),
                uuid.UUID(object_id),
                uuid.UUID(tenant_id),
                uuid.UUID(owner_id) if owner_id is not None else None,
            )
        except (TypeError, ValueError, AttributeError):
            return None


def invitation_change(kind: ChangeKind, invitation: Any) -> Change:
    return Change(
        Subject.INVITATION, kind, invitation.id, invitation.tenant_id, invitation.invited_by_id
    )


def user_change(kind: ChangeKind, user: Any) -> Change:
    return Change(Subject.USER, kind, user.id, user.tenant_id)


def access_change(user_id: uuid.UUID, tenant_id: uuid.UUID) -> Change:
    """Some of the user's sessions or API tokens ended."""
    return Change(Subject.ACCESS, ChangeKind.UPDATED, user_id, tenant_id)


# ------------------------------------------------------------------ publishing


async def publish(*changes: Change) -> None:
    """Announce committed changes. Never raises: the change itself is done, and a lost event
    costs a subscriber a refresh, not the caller an error."""
    if not changes:
        return
    try:
        connection = connections.get("default")
        if connection.capabilities.dialect == "postgres":
            for start in range(0, len(changes), _PER_NOTIFY):
                chunk = changes[start : start + _PER_NOTIFY]
                payload = orjson.dumps([change.encode() for change in chunk]).decode()
                await connection.execute_query("SELECT pg_notify($1, $2)", [CHANNEL, payload])
        elif _relay is not None:
            for start in range(0, len(changes), _PER_NOTIFY):
                chunk = changes[start : start + _PER_NOTIFY]
                _relay.send(orjson.dumps([change.encode() for change in chunk]))
        else:
            hub.dispatch(changes)
    except Exception:
        log.exception("change events not published")


# ------------------------------------------------------------------ this process's hub


class FeedEnded(Exception):  # noqa: N818 - an outcome, not a failure of ours
    """The feed can no longer promise every change: its subscription ends."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Feed:
    """One subscription's inbox."""

    def __init__(self) -> None:
        self._changes: deque[Change] = deque()
        self._ready = asyncio.Event()
        self._ended: str | None = None

    def offer(self, change: Change) -> None:
        if self._ended is not None:
            return
        if len(self._changes) >= FEED_CAPACITY:
            self.end("More changes arrived than this subscription took in: subscribe again.")
            return
        self._changes.append(change)
        self._ready.set()

    def end(self, reason: str) -> None:
        if self._ended is None:
            self._ended = reason
        self._ready.set()

    async def next_batch(self, within: float) -> list[Change]:
        """Every change waiting, or an empty list when none came `within` seconds."""
        if not self._changes and self._ended is None:
            self._ready.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), within)
        if self._ended is not None:
            raise FeedEnded(self._ended)
        batch = list(self._changes)
        self._changes.clear()
        return batch


class Hub:
    def __init__(self) -> None:
        self._feeds: set[Feed] = set()
        # False while a PostgreSQL process has no LISTEN connection: nothing would arrive.
        self.available = True
        # Set when this process will never listen (its configuration says why).
        self.refusal: str | None = None
        self.opened = 0  # feeds ever opened (tests wait for a subscription to be in place)

    def dispatch(self, changes: Iterable[Change]) -> None:
        changes = list(changes)
        for feed in list(self._feeds):
            for change in changes:
                feed.offer(change)

    def end_all(self, reason: str) -> None:
        for feed in list(self._feeds):
            feed.end(reason)

    @contextlib.contextmanager
    def feed(self) -> Iterator[Feed]:
        if self.refusal is not None:
            raise FeedEnded(self.refusal)
        if not self.available:
            raise FeedEnded("Change notifications are unavailable right now: try again shortly.")
        feed = Feed()
        self._feeds.add(feed)
        self.opened += 1
        try:
            yield feed
        finally:
            self._feeds.discard(feed)

    @property
    def subscribers(self) -> int:
        return len(self._feeds)


hub = Hub()


# ------------------------------------------------------------------ PostgreSQL LISTEN

_listeners = 0  # apps of this process that asked for the listener (tests build several)
NO_DIRECT_URL = (
    "Subscriptions are off on this server: it reaches PostgreSQL through a transaction pooler "
    "and has no direct connection to listen for changes on (TENANTRY_DATABASE_DIRECT_URL)."
)


def listen_url(config: Config) -> str | None:
    """Where a PostgreSQL process LISTENs: the direct URL when set, else the database URL,
    except behind a transaction pooler, where LISTEN cannot work (None)."""
    if config.database_direct_url:
        return config.database_direct_url
    if config.database_pooler is DatabasePooler.TRANSACTION:
        return None
    return config.database_url


@contextlib.asynccontextmanager
async def listening() -> AsyncIterator[None]:
    """While the app runs: LISTEN on PostgreSQL (one connection per process, however many
    apps ask); on SQLite, the workers' relay when there is one."""
    global _listeners
    config = get_config()
    if not config.database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        async with _relaying():
            yield
        return
    url = listen_url(config)
    _listeners += 1
    task = None
    if _listeners == 1:
        if url is None:
            log.warning("change events: %s", NO_DIRECT_URL)
            hub.refusal = NO_DIRECT_URL
        else:
            task = asyncio.create_task(_listen(url))
    try:
        yield
    finally:
        _listeners -= 1
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if _listeners == 0:
            hub.available = True
            hub.refusal = None


_relay: Relay | None = None


@contextlib.asynccontextmanager
async def _relaying() -> AsyncIterator[None]:
    global _relay
    directory = relay_directory()
    if directory is None or _relay is not None:
        yield
        return
    relay = Relay(directory)
    relay.open(lambda payload: _receive(None, 0, CHANNEL, payload))
    _relay = relay
    try:
        yield
    finally:
        _relay = None
        relay.close()


def _receive(_connection: object, _pid: int, _channel: str, payload: str | bytes) -> None:
    try:
        items = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return
    if isinstance(items, list):
        hub.dispatch(change for item in items if (change := Change.decode(item)) is not None)


def _connect_arguments(url: str) -> dict[str, Any]:
    # Tortoise's URL may carry pool options asyncpg does not know: take the credentials only.
    credentials = expand_db_url(url)["credentials"]
    arguments = {key: credentials.get(key) for key in ("host", "port", "user", "password")}
    arguments["database"] = credentials.get("database")
    if credentials.get("ssl") is not None:
        arguments["ssl"] = credentials["ssl"]
    arguments["server_settings"] = {"application_name": APPLICATION_NAME}
    return arguments


async def _listen(url: str) -> None:
    import asyncpg

    arguments = _connect_arguments(url)
    failures = 0
    hub.available = False
    while True:
        connection = None
        try:
            connection = await asyncpg.connect(**arguments, timeout=10)
            closed = asyncio.Event()
            connection.add_termination_listener(lambda _, done=closed: done.set())
            await connection.add_listener(CHANNEL, _receive)
            if failures:
                log.warning("listening for change events again")
                failures = 0
            hub.available = True
            while not closed.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(closed.wait(), _HEALTH_CHECK_SECONDS)
                if not closed.is_set():
                    # A connection dropped without a FIN is found out only by using it.
                    await connection.fetchval("SELECT 1", timeout=10)
            raise ConnectionError("the LISTEN connection closed")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if hub.available or failures == 0:
                log.warning(
                    "change events: no LISTEN connection (%s); retrying", type(exc).__name__
                )
            hub.available = False
            # Whatever was notified meanwhile is lost: the subscriptions say so and end.
            hub.end_all("The server lost its change notifications: subscribe again.")
            failures += 1
        finally:
            if connection is not None and not connection.is_closed():
                connection.terminate()
        await asyncio.sleep(_RECONNECT_SECONDS[min(failures, len(_RECONNECT_SECONDS)) - 1])
