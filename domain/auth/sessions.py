"""Database sessions: a random token for the client, only its hash stored, checked each request."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from config import get_config
from domain.secrets import digest, new_token
from domain.tenant_settings import session_idle_limit
from models import Session, Tenant, User
from models.joined import JoinedLookup

SESSION_PREFIX = "tns_"
# Writing last_seen_at on every request would make every read a write.
_TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class ClientInfo:
    address: str | None = None
    user_agent: str | None = None


async def start_session(user: User, client: ClientInfo) -> str:
    config = get_config()
    token = new_token(SESSION_PREFIX)
    now = datetime.now(UTC)
    await Session.create(
        user=user,
        token_hash=digest(token),
        last_seen_at=now,
        expires_at=now + timedelta(hours=config.session_absolute_hours),
        client_address=_shown(client.address, _ADDRESS_LENGTH),
        user_agent=_shown(client.user_agent, _USER_AGENT_LENGTH),
    )
    return token


_ADDRESS_LENGTH: int = Session._meta.fields_map["client_address"].max_length  # type: ignore[attr-defined]
_USER_AGENT_LENGTH: int = Session._meta.fields_map["user_agent"].max_length  # type: ignore[attr-defined]


def _shown(value: str | None, limit: int) -> str | None:
    """What the client sent, as the session list shows it: printable characters only (a
    header is the client's to fill, and a sign-in must not fail over it), bounded."""
    if not value:
        return None
    if not value.isprintable():
        value = "".join(character for character in value if character.isprintable())
    return value[:limit].strip() or None


# The session, its user and the user's tenant: every signed-in request's first statement.
_SESSION_BY_HASH = JoinedLookup(
    [(Session, "s"), (User, "u"), (Tenant, "t")],
    relations=["user", "tenant"],
    joins='"session" s JOIN "user" u ON u."id" = s."user_id" '
    'JOIN "tenant" t ON t."id" = u."tenant_id"',
    where='s."token_hash" = {0}',
    parameters=1,
)


async def user_for_session(token: str) -> User | None:
    """The live user behind a session token, or None (unknown, idle, expired, unverified,
    deactivated)."""
    if not token.startswith(SESSION_PREFIX):
        return None
    session = await _SESSION_BY_HASH.first(digest(token))
    if not isinstance(session, Session):
        return None
    now = datetime.now(UTC)
    # The tenant's limit when it set one, never above the instance's.
    idle_limit = session_idle_limit(session.user.tenant)
    if session.expires_at <= now or session.last_seen_at + idle_limit <= now:
        await session.delete()
        return None
    if session.user.deactivated_at is not None:
        # Deactivation ends the user's sessions; one that a sign-in racing it started ends here.
        await session.delete()
        return None
    if not session.user.email_verified:
        return None
    if now - session.last_seen_at >= _TOUCH_INTERVAL:
        # Conditional, so that concurrent requests write at most once a minute between them.
        await Session.filter(id=session.id, last_seen_at__lte=now - _TOUCH_INTERVAL).update(
            last_seen_at=now
        )
    return session.user


async def end_session(token: str) -> None:
    await Session.filter(token_hash=digest(token)).delete()


async def end_other_sessions(user_id: uuid.UUID, keep_token: str | None) -> int:
    """Ends every session of the user but the one of `keep_token`; returns how many ended."""
    sessions = Session.filter(user_id=user_id)
    if keep_token:
        sessions = sessions.exclude(token_hash=digest(keep_token))
    return await sessions.delete()


def is_live(session: Session) -> bool:
    """Does the session still work (neither expired nor idle too long for its tenant)? As
    `user_for_session` decides; the session comes with `user__tenant`."""
    now = datetime.now(UTC)
    idle_limit = session_idle_limit(session.user.tenant)
    return session.expires_at > now and session.last_seen_at + idle_limit > now


async def live_sessions(user_id: uuid.UUID, tenant_id: uuid.UUID) -> list[Session]:
    """The user's sessions that still work (expired and idle ones are removed when next
    presented), most recently used first; idle by the tenant's limit, as `user_for_session`."""
    now = datetime.now(UTC)
    idle_limit = session_idle_limit(await Tenant.get(id=tenant_id))
    return await Session.filter(
        user_id=user_id, expires_at__gt=now, last_seen_at__gt=now - idle_limit
    ).order_by("-last_seen_at", "-created_at", "id")


def is_session_of(session: Session, token: str | None) -> bool:
    """Was `session` started with `token` (the request's own)? Compared as digests."""
    return token is not None and hmac.compare_digest(session.token_hash, digest(token))
