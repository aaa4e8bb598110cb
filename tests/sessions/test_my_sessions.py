"""mySessions, revokeSession, revokeOtherSessions: a user sees and ends their own sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from config import get_config
from domain.auth.sessions import ClientInfo, start_session
from domain.secrets import digest
from models import AuditEvent, Session, Tenant
from tests.factories import DEFAULT_PASSWORD
from tests.secrets_seen import remember
from tests.sessions.queries import LOGIN, ME, MY_SESSIONS, REVOKE_OTHERS, REVOKE_SESSION


async def second_session(person, **client: str) -> str:
    token = await start_session(person.user, ClientInfo(**client))
    remember(token)
    return token


async def test_my_sessions_lists_the_callers_sessions_with_the_current_one_marked(gql, cast):
    other = await second_session(cast.member_a, address="198.51.100.4", user_agent="curl/8.5")
    await second_session(cast.admin_a)  # someone else's
    sessions = (await gql(MY_SESSIONS, as_=cast.member_a)).ok()["mySessions"]
    assert len(sessions) == 2
    current = [s for s in sessions if s["current"]]
    assert len(current) == 1
    assert {(s["clientAddress"], s["userAgent"]) for s in sessions if not s["current"]} == {
        ("198.51.100.4", "curl/8.5")
    }
    assert other not in str(sessions)


async def test_a_login_records_the_client_address_and_user_agent(gql, cast):
    login = await gql(
        LOGIN,
        {"input": {"tenant": "acme", "username": "gus", "password": DEFAULT_PASSWORD}},
        headers={"User-Agent": "Firefox/140.0"},
    )
    token = login.payload("login")["sessionToken"]
    gql.http.cookies.clear()
    (session,) = [
        s for s in (await gql(MY_SESSIONS, token=token)).ok()["mySessions"] if s["current"]
    ]
    assert session["clientAddress"] == "203.0.113.7"  # the test client's address
    assert session["userAgent"] == "Firefox/140.0"
    assert session["createdAt"] and session["lastUsedAt"]


async def test_a_session_is_shown_by_its_own_id_never_by_its_token_or_digest(gql, cast):
    (shown,) = (await gql(MY_SESSIONS, as_=cast.guest_a)).ok()["mySessions"]
    row = await Session.get(token_hash=digest(cast.guest_a.token))
    assert shown["id"] == str(row.id)
    assert shown["id"] not in (cast.guest_a.token, row.token_hash)


async def test_a_user_agent_is_stored_printable_and_bounded(cast):
    token = await second_session(cast.member_a, user_agent="evil\x1b[31m\r\nagent" + "x" * 900)
    row = await Session.get(token_hash=digest(token))
    assert row.user_agent is not None
    assert row.user_agent.startswith("evil[31magent")
    assert len(row.user_agent) == 512


async def test_expired_and_idle_sessions_are_not_listed(gql, cast):
    expired = await second_session(cast.member_a)
    idle = await second_session(cast.member_a)
    now = datetime.now(UTC)
    await Session.filter(token_hash=digest(expired)).update(expires_at=now - timedelta(seconds=1))
    idle_for = timedelta(minutes=get_config().session_idle_minutes + 1)
    await Session.filter(token_hash=digest(idle)).update(last_seen_at=now - idle_for)
    sessions = (await gql(MY_SESSIONS, as_=cast.member_a)).ok()["mySessions"]
    assert [s["current"] for s in sessions] == [True]


async def test_sessions_idle_past_the_tenants_own_limit_are_not_listed(gql, cast):
    await Tenant.filter(id=cast.tenant_a.id).update(session_idle_minutes=5)
    idle = await second_session(cast.member_a)
    ten_minutes_ago = datetime.now(UTC) - timedelta(minutes=10)
    await Session.filter(token_hash=digest(idle)).update(last_seen_at=ten_minutes_ago)
    sessions = (await gql(MY_SESSIONS, as_=cast.member_a)).ok()["mySessions"]
    assert [s["current"] for s in sessions] == [True]


async def test_last_used_is_written_at_most_once_a_minute(gql, cast):
    row = await Session.get(token_hash=digest(cast.member_a.token))
    await gql(ME, as_=cast.member_a)
    assert (await Session.get(id=row.id)).last_seen_at == row.last_seen_at
    a_while_ago = datetime.now(UTC) - timedelta(minutes=2)
    await Session.filter(id=row.id).update(last_seen_at=a_while_ago)
    await gql(ME, as_=cast.member_a)
    assert (await Session.get(id=row.id)).last_seen_at > a_while_ago + timedelta(minutes=1)


# ---------------------------------------------------------------- revokeSession


async def test_revoking_one_of_ones_sessions_ends_it_and_only_it(gql, cast):
    other = await second_session(cast.member_a)
    row = await Session.get(token_hash=digest(other))
    result = await gql(REVOKE_SESSION, {"id": str(row.id)}, as_=cast.member_a)
    assert result.payload("revokeSession") == {"__typename": "SessionsRevoked", "count": 1}
    assert (await gql(ME, token=other)).ok()["me"] is None
    assert (await gql(ME, as_=cast.member_a)).ok()["me"] == {"username": "mallory"}


async def test_another_users_session_is_not_found_and_keeps_working(gql, cast):
    row = await Session.get(token_hash=digest(cast.admin_a.token))
    result = await gql(REVOKE_SESSION, {"id": str(row.id)}, as_=cast.member_a)
    assert result.payload("revokeSession")["__typename"] == "NotFound"
    assert (await gql(ME, as_=cast.admin_a)).ok()["me"] == {"username": "alice"}


async def test_an_id_that_is_no_session_is_not_found(gql, cast):
    for bad in ["not-an-id", "00000000-0000-0000-0000-000000000000", cast.member_a.token]:
        result = await gql(REVOKE_SESSION, {"id": bad}, as_=cast.member_a)
        assert result.payload("revokeSession")["__typename"] == "NotFound"
    assert await Session.filter(user_id=cast.member_a.user.id).count() == 1


async def test_revoking_the_current_session_signs_out_and_clears_the_cookie(gql, cast):
    await gql(LOGIN, {"input": {"tenant": "acme", "username": "gus", "password": DEFAULT_PASSWORD}})
    assert (await gql(ME)).ok()["me"] == {"username": "gus"}  # the cookie
    (current,) = [s for s in (await gql(MY_SESSIONS)).ok()["mySessions"] if s["current"]]
    result = await gql(REVOKE_SESSION, {"id": current["id"]})
    assert result.payload("revokeSession")["count"] == 1
    assert "tenantry_session=" in result.response.headers["set-cookie"]
    assert (await gql(ME)).ok()["me"] is None


async def test_revoking_a_session_is_audited(gql, cast):
    other = await second_session(cast.member_a)
    row = await Session.get(token_hash=digest(other))
    await gql(REVOKE_SESSION, {"id": str(row.id)}, as_=cast.member_a)
    event = await AuditEvent.get(action="session.revoked")
    assert event.actor_id == cast.member_a.user.id  # type: ignore[attr-defined]
    assert event.target_id == cast.member_a.id
    assert event.changes == {"user": cast.member_a.id, "session": str(row.id)}


# ---------------------------------------------------------------- revokeOtherSessions


async def test_revoking_the_other_sessions_keeps_the_current_one(gql, cast):
    others = [await second_session(cast.member_a) for _ in range(3)]
    result = await gql(REVOKE_OTHERS, as_=cast.member_a)
    assert result.ok()["revokeOtherSessions"] == {"count": 3}
    for token in others:
        assert (await gql(ME, token=token)).ok()["me"] is None
    assert (await gql(ME, as_=cast.member_a)).ok()["me"] == {"username": "mallory"}
    assert await Session.filter(user_id=cast.admin_a.user.id).count() == 1  # nobody else's


async def test_revoking_the_other_sessions_is_audited_with_the_count(gql, cast):
    await second_session(cast.member_a)
    await gql(REVOKE_OTHERS, as_=cast.member_a)
    event = await AuditEvent.get(action="user.sessions_revoked")
    assert event.changes == {"user": cast.member_a.id, "count": 1}


async def test_an_api_token_request_ends_every_session_of_its_owner(gql, cast, make):
    _, secret = await make.api_token(cast.member_a.user)
    await second_session(cast.member_a)
    result = await gql(REVOKE_OTHERS, token=secret)
    assert result.ok()["revokeOtherSessions"] == {"count": 2}
    assert (await gql(ME, as_=cast.member_a)).ok()["me"] is None
    assert (await gql(ME, token=secret)).ok()["me"] == {"username": "mallory"}


async def test_an_api_token_request_lists_its_owners_sessions_none_current(gql, cast, make):
    _, secret = await make.api_token(cast.member_a.user)
    sessions = (await gql(MY_SESSIONS, token=secret)).ok()["mySessions"]
    assert [s["current"] for s in sessions] == [False]
