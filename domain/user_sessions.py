"""Sessions as people see them: one's own (list, end one, end the others) and, for admins and
superusers, another user's. How a session is started and checked is domain/auth/sessions.py.

A session is shown by its row's own ID, never by its token or the token's digest: the ID
lets its holder end it, nothing more.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain import audit, validation
from domain.auth.sessions import end_other_sessions, is_session_of, live_sessions
from domain.errors import NotFound, require
from domain.events import access_change, publish
from domain.users import access_managed_user
from models import Session, User
from permissions.rules import Actor, Op


@dataclass(frozen=True)
class SessionView:
    session: Session
    # Came this request with it?
    current: bool


@dataclass(frozen=True)
class Revoked:
    count: int
    # The request's own session was among them: the caller is now signed out.
    ended_current: bool = False


async def my_sessions(actor: Actor, current_token: str | None) -> list[SessionView]:
    require(actor, Op.OWN_SESSIONS)
    return _views(await live_sessions(actor.user_id, actor.tenant_id), current_token)


async def revoke_session(actor: Actor, session_id: str, current_token: str | None) -> Revoked:
    """One of the caller's own sessions (the current one too: that signs out). Another's
    session, or an ID that is no session, is NotFound alike."""
    require(actor, Op.OWN_SESSIONS)
    try:
        row_id = validation.object_id(session_id)
    except NotFound:
        raise NotFound("No such session.") from None
    session = await Session.get_or_none(id=row_id, user_id=actor.user_id)
    if session is None or not await Session.filter(id=session.id).delete():
        raise NotFound("No such session.")
    await _record(actor, actor.user_id, actor.tenant_id, "session.revoked", session_id=session.id)
    await publish(access_change(actor.user_id, actor.tenant_id))  # its subscriptions end
    return Revoked(count=1, ended_current=is_session_of(session, current_token))


async def revoke_other_sessions(actor: Actor, current_token: str | None) -> Revoked:
    """Every session of the caller but the current one (all of them for a request made with
    an API token, which has no session)."""
    require(actor, Op.OWN_SESSIONS)
    count = await end_other_sessions(actor.user_id, keep_token=current_token)
    if count:
        await _record(actor, actor.user_id, actor.tenant_id, "user.sessions_revoked", count=count)
        await publish(access_change(actor.user_id, actor.tenant_id))
    return Revoked(count=count)


async def user_sessions(actor: Actor, user_id: str, current_token: str | None) -> list[SessionView]:
    user = await _user_in_reach(actor, user_id)
    return _views(await live_sessions(user.id, user.tenant_id), current_token)


async def revoke_user_sessions(actor: Actor, user_id: str, current_token: str | None) -> Revoked:
    """Every session of the user (the caller's own current one too, when they name
    themselves)."""
    user = await _user_in_reach(actor, user_id)
    count = await end_other_sessions(user.id, keep_token=None)
    if count:
        await _record(actor, user.id, user.tenant_id, "user.sessions_revoked", count=count)  # type: ignore[attr-defined]
        await publish(access_change(user.id, user.tenant_id))  # type: ignore[attr-defined]
    return Revoked(count=count, ended_current=user.id == actor.user_id and bool(current_token))


async def _user_in_reach(actor: Actor, user_id: str) -> User:
    require(actor, Op.USER_SESSIONS)
    return await access_managed_user(actor, user_id, Op.USER_SESSIONS)


def _views(sessions: list[Session], current_token: str | None) -> list[SessionView]:
    return [SessionView(session, is_session_of(session, current_token)) for session in sessions]


async def _record(
    actor: Actor,
    user_id: uuid.UUID,
    tenant_id: uuid.UUID,
    action: str,
    *,
    session_id: uuid.UUID | None = None,
    count: int | None = None,
) -> None:
    changes: dict[str, object] = {"user": user_id}
    if session_id is not None:
        changes["session"] = session_id
    if count is not None:
        changes["count"] = count
    await audit.record(
        actor, action, tenant_id=tenant_id, target_type="user", target_id=user_id, changes=changes
    )
