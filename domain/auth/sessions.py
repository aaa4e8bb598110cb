"""Database sessions: a random token for the client, only its hash stored, checked each request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from config import get_config
from domain.secrets import digest, new_token
from domain.tenant_settings import session_idle_limit
from models import Session, User

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
        client_address=(client.address or "")[:64] or None,
        user_agent=(client.user_agent or "")[:512] or None,
    )
    return token


async def user_for_session(token: str) -> User | None:
    """The live user behind a session token, or None (unknown, idle, expired, unverified)."""
    if not token.startswith(SESSION_PREFIX):
        return None
    session = await Session.filter(token_hash=digest(token)).select_related("user__tenant").first()
    if session is None:
        return None
    now = datetime.now(UTC)
    # The tenant's limit when it set one, never above the instance's.
    idle_limit = session_idle_limit(session.user.tenant)
    if session.expires_at <= now or session.last_seen_at + idle_limit <= now:
        await session.delete()
        return None
    if not session.user.email_verified:
        return None
    if now - session.last_seen_at >= _TOUCH_INTERVAL:
        await Session.filter(id=session.id).update(last_seen_at=now)
    return session.user


async def end_session(token: str) -> None:
    await Session.filter(token_hash=digest(token)).delete()


async def end_other_sessions(user_id: uuid.UUID, keep_token: str | None) -> None:
    sessions = Session.filter(user_id=user_id)
    if keep_token:
        sessions = sessions.exclude(token_hash=digest(keep_token))
    await sessions.delete()
