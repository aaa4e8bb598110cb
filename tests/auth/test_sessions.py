"""Sessions: cookie or Bearer token, logout, limits on age and idleness,
and changes that bite at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from config import get_config
from domain.secrets import digest
from models import Role, Session, User
from tests.auth.queries import LOGOUT, TENANTS, USERS, login, me
from tests.factories import DEFAULT_PASSWORD


async def test_a_bearer_session_token_signs_the_caller_in(gql, cast):
    assert await me(gql, cast.member_a.token) == {
        "username": "mallory",
        "role": "MEMBER",
        "superuser": False,
    }


async def test_the_cookie_set_by_login_signs_a_browser_in(gql, cast):
    await login(gql, "alice", DEFAULT_PASSWORD)
    assert gql.http.cookies  # the browser keeps it
    assert await me(gql, None) == {"username": "alice", "role": "ADMIN", "superuser": False}


async def test_an_unknown_or_malformed_bearer_token_is_anonymous(gql, cast):
    for token in ["tns_not-a-real-session", "garbage", cast.member_a.token + "x"]:
        assert await me(gql, token) is None
        assert (await gql(USERS, token=token)).codes == ["UNAUTHENTICATED"]


async def test_logout_ends_the_session_of_a_bearer_token(gql, cast):
    token = (await login(gql, "gus", DEFAULT_PASSWORD))["sessionToken"]
    gql.http.cookies.clear()
    assert (await gql(LOGOUT, token=token)).ok() == {"logout": {"ok": True}}
    assert await me(gql, token) is None
    assert not await Session.filter(token_hash=digest(token)).exists()


async def test_logout_ends_the_cookie_session_and_clears_the_cookie(gql, cast):
    token = (await login(gql, "gus", DEFAULT_PASSWORD))["sessionToken"]
    result = await gql(LOGOUT)
    assert result.ok() == {"logout": {"ok": True}}
    assert (
        "Max-Age=0" in result.response.headers["set-cookie"]
        or "expires=" in result.response.headers["set-cookie"].lower()
    )
    assert await me(gql, None) is None
    assert await me(gql, token) is None


async def test_logout_leaves_the_users_other_sessions_alone(gql, cast):
    token = (await login(gql, "mallory", DEFAULT_PASSWORD))["sessionToken"]
    gql.http.cookies.clear()
    await gql(LOGOUT, token=token)
    assert await me(gql, cast.member_a.token) is not None


async def test_logout_without_a_session_is_harmless(gql, cast):
    assert (await gql(LOGOUT)).ok() == {"logout": {"ok": True}}


async def test_a_session_past_its_absolute_expiry_is_refused_and_removed(gql, cast):
    past = datetime.now(UTC) - timedelta(seconds=1)
    await Session.filter(token_hash=digest(cast.member_a.token)).update(expires_at=past)
    assert await me(gql, cast.member_a.token) is None
    assert not await Session.filter(token_hash=digest(cast.member_a.token)).exists()


async def test_a_session_idle_for_too_long_is_refused_and_removed(gql, cast):
    idle = timedelta(minutes=get_config().session_idle_minutes)
    await Session.filter(token_hash=digest(cast.member_a.token)).update(
        last_seen_at=datetime.now(UTC) - idle - timedelta(seconds=1)
    )
    assert await me(gql, cast.member_a.token) is None
    assert not await Session.filter(token_hash=digest(cast.member_a.token)).exists()


async def test_using_a_session_keeps_it_from_going_idle(gql, cast):
    idle = timedelta(minutes=get_config().session_idle_minutes)
    almost = datetime.now(UTC) - idle + timedelta(minutes=5)
    await Session.filter(token_hash=digest(cast.member_a.token)).update(last_seen_at=almost)
    assert await me(gql, cast.member_a.token) is not None
    session = await Session.get(token_hash=digest(cast.member_a.token))
    assert session.last_seen_at > datetime.now(UTC) - timedelta(minutes=1)


async def test_a_new_session_expires_after_the_configured_absolute_limit(gql, cast):
    token = (await login(gql, "gus", DEFAULT_PASSWORD))["sessionToken"]
    session = await Session.get(token_hash=digest(token))
    expected = datetime.now(UTC) + timedelta(hours=get_config().session_absolute_hours)
    assert abs(session.expires_at - expected) < timedelta(minutes=1)


async def test_a_demotion_takes_effect_on_the_next_request(gql, cast):
    assert (await gql(USERS, as_=cast.admin_a)).ok()["users"]["totalCount"] == 4
    await User.filter(id=cast.admin_a.user.id).update(role=Role.GUEST)
    assert (await gql(USERS, as_=cast.admin_a)).codes == ["FORBIDDEN"]


async def test_removing_the_superuser_bit_takes_effect_on_the_next_request(gql, cast):
    await User.filter(id=cast.member_b.user.id).update(superuser=True)
    assert (await gql(TENANTS, as_=cast.member_b)).ok()["tenants"]
    await User.filter(id=cast.member_b.user.id).update(superuser=False)
    assert (await gql(TENANTS, as_=cast.member_b)).codes == ["FORBIDDEN"]


async def test_a_deleted_user_is_signed_out_on_the_next_request(gql, cast):
    await User.filter(id=cast.member_a.user.id).delete()
    assert await me(gql, cast.member_a.token) is None
    assert (await gql(USERS, as_=cast.member_a)).codes == ["UNAUTHENTICATED"]


async def test_a_user_whose_email_is_no_longer_verified_is_signed_out(gql, cast):
    await User.filter(id=cast.member_a.user.id).update(email_verified=False)
    assert await me(gql, cast.member_a.token) is None


async def test_logout_writes_an_audit_event(gql, cast):
    from models import AuditEvent

    await gql(LOGOUT, as_=cast.guest_a)
    event = await AuditEvent.get(action="user.signed_out")
    assert (event.actor_id, event.target_id) == (cast.guest_a.user.id, cast.guest_a.id)
