"""The contract's rows for sessions, over HTTP, for every kind of caller (anonymous, guest,
member, admin and superuser of tenant A, tenant B's admin):

- mySessions, revokeSession, revokeOtherSessions: self, for everyone signed in;
- userSessions, revokeUserSessions: admins their tenant but no superuser, superusers anyone.
"""

from __future__ import annotations

import pytest

from domain.auth.sessions import ClientInfo, start_session
from domain.secrets import digest
from models import AuditEvent, Session
from tests.permissions.test_users_api import SIGNED_IN, Caller, ids, person
from tests.secrets_seen import remember
from tests.sessions.queries import (
    ME,
    MY_SESSIONS,
    REVOKE_OTHERS,
    REVOKE_SESSION,
    REVOKE_USER_SESSIONS,
    USER_SESSIONS,
)


async def a_second_session(user) -> str:
    token = await start_session(user, ClientInfo())
    remember(token)
    return token


# ---------------------------------------------------------------- one's own sessions


@pytest.mark.parametrize("document", [MY_SESSIONS, REVOKE_OTHERS], ids=["list", "revoke-others"])
async def test_an_anonymous_caller_has_no_sessions_to_see_or_end(gql, cast, document):
    assert (await gql(document)).codes == ["UNAUTHENTICATED"]


async def test_an_anonymous_caller_revokes_no_session(gql, cast):
    row = await Session.get(token_hash=digest(cast.member_a.token))
    assert (await gql(REVOKE_SESSION, {"id": str(row.id)})).codes == ["UNAUTHENTICATED"]
    assert await Session.exists(id=row.id)


@pytest.mark.parametrize("caller", SIGNED_IN, ids=ids)
async def test_everyone_signed_in_sees_exactly_their_own_sessions(gql, cast, caller):
    who = person(cast, caller)
    await a_second_session(who.user)
    sessions = (await gql(MY_SESSIONS, as_=who)).ok()["mySessions"]
    own = await Session.filter(user_id=who.user.id).values_list("id", flat=True)
    assert {s["id"] for s in sessions} == {str(i) for i in own}
    assert len(sessions) == 2


@pytest.mark.parametrize("caller", SIGNED_IN, ids=ids)
async def test_everyone_signed_in_ends_their_own_session(gql, cast, caller):
    who = person(cast, caller)
    other = await a_second_session(who.user)
    row = await Session.get(token_hash=digest(other))
    result = await gql(REVOKE_SESSION, {"id": str(row.id)}, as_=who)
    assert result.payload("revokeSession") == {"__typename": "SessionsRevoked", "count": 1}


@pytest.mark.parametrize("caller", SIGNED_IN, ids=ids)
async def test_nobody_ends_someone_elses_session_by_its_id_not_even_a_superuser(gql, cast, caller):
    who = person(cast, caller)
    victims = [cast.member_a, cast.member_b, cast.superuser]
    for victim in (v for v in victims if v is not who):
        row = await Session.get(token_hash=digest(victim.token))
        result = await gql(REVOKE_SESSION, {"id": str(row.id)}, as_=who)
        assert result.payload("revokeSession")["__typename"] == "NotFound"
        assert await Session.exists(id=row.id)


@pytest.mark.parametrize("caller", SIGNED_IN, ids=ids)
async def test_everyone_signed_in_ends_their_other_sessions_only(gql, cast, caller):
    who = person(cast, caller)
    await a_second_session(who.user)
    before = await Session.exclude(user_id=who.user.id).count()
    assert (await gql(REVOKE_OTHERS, as_=who)).ok()["revokeOtherSessions"] == {"count": 1}
    assert await Session.filter(user_id=who.user.id).count() == 1
    assert await Session.exclude(user_id=who.user.id).count() == before


# ---------------------------------------------------------------- another user's sessions


@pytest.mark.parametrize(
    ("caller", "code"),
    [
        (Caller.ANONYMOUS, "UNAUTHENTICATED"),
        (Caller.GUEST, "FORBIDDEN"),
        (Caller.MEMBER, "FORBIDDEN"),
    ],
    ids=ids,
)
async def test_callers_below_admin_neither_see_nor_end_anothers_sessions(gql, cast, caller, code):
    who = person(cast, caller)
    target = {"userId": cast.admin_a.id}
    assert (await gql(USER_SESSIONS, target, as_=who)).codes == [code]
    assert (await gql(REVOKE_USER_SESSIONS, target, as_=who)).codes == [code]
    assert (await gql(ME, as_=cast.admin_a)).ok()["me"] == {"username": "alice"}


# (caller, target) -> what the caller may do to the target's sessions.
REACH = [
    (Caller.ADMIN, "member_a", "yes"),
    (Caller.ADMIN, "guest_a", "yes"),
    (Caller.ADMIN, "superuser", "FORBIDDEN"),
    (Caller.ADMIN, "member_b", "NOT_FOUND"),
    (Caller.OTHER_ADMIN, "member_b", "yes"),
    (Caller.OTHER_ADMIN, "member_a", "NOT_FOUND"),
    (Caller.OTHER_ADMIN, "superuser", "NOT_FOUND"),
    (Caller.SUPERUSER, "member_a", "yes"),
    (Caller.SUPERUSER, "member_b", "yes"),
    (Caller.SUPERUSER, "admin_b", "yes"),
]


def reach_id(case: tuple[Caller, str, str]) -> str:
    return f"{case[0].value}-on-{case[1]}-{case[2]}"


@pytest.mark.parametrize("case", REACH, ids=reach_id)
async def test_user_sessions_lists_within_the_callers_reach(gql, cast, case):
    caller, target_name, expected = case
    target = getattr(cast, target_name)
    result = await gql(USER_SESSIONS, {"userId": target.id}, as_=person(cast, caller))
    if expected == "yes":
        (session,) = result.ok()["userSessions"]
        assert session["id"] == str((await Session.get(user_id=target.user.id)).id)
        assert session["current"] is False
    else:
        assert result.codes == [expected]


@pytest.mark.parametrize("case", REACH, ids=reach_id)
async def test_revoke_user_sessions_ends_them_within_the_callers_reach(gql, cast, case):
    caller, target_name, expected = case
    target = getattr(cast, target_name)
    await a_second_session(target.user)
    result = await gql(REVOKE_USER_SESSIONS, {"userId": target.id}, as_=person(cast, caller))
    if expected == "yes":
        assert result.payload("revokeUserSessions") == {"__typename": "SessionsRevoked", "count": 2}
        assert not await Session.filter(user_id=target.user.id).exists()
        assert (await gql(ME, as_=target)).ok()["me"] is None
    else:
        if expected == "NOT_FOUND":
            assert result.payload("revokeUserSessions")["__typename"] == "NotFound"
        else:
            assert result.codes == [expected]
        assert await Session.filter(user_id=target.user.id).count() == 2


@pytest.mark.parametrize("caller", [Caller.ADMIN, Caller.SUPERUSER], ids=ids)
async def test_an_unknown_user_id_is_not_found(gql, cast, caller):
    who = person(cast, caller)
    for bad in ["not-an-id", "00000000-0000-0000-0000-000000000000"]:
        assert (await gql(USER_SESSIONS, {"userId": bad}, as_=who)).codes == ["NOT_FOUND"]
        result = await gql(REVOKE_USER_SESSIONS, {"userId": bad}, as_=who)
        assert result.payload("revokeUserSessions")["__typename"] == "NotFound"


async def test_revoking_a_users_sessions_is_audited_with_the_admin_as_actor(gql, cast):
    await gql(REVOKE_USER_SESSIONS, {"userId": cast.member_a.id}, as_=cast.admin_a)
    event = await AuditEvent.get(action="user.sessions_revoked")
    assert event.actor_id == cast.admin_a.user.id  # type: ignore[attr-defined]
    assert event.target_id == cast.member_a.id
    assert event.changes == {"user": cast.member_a.id, "count": 1}


async def test_an_admins_api_token_ends_a_members_sessions_as_the_admin_would(gql, cast, make):
    _, secret = await make.api_token(cast.admin_a.user)
    result = await gql(REVOKE_USER_SESSIONS, {"userId": cast.member_a.id}, token=secret)
    assert result.payload("revokeUserSessions")["count"] == 1
    assert (await gql(ME, as_=cast.member_a)).ok()["me"] is None
