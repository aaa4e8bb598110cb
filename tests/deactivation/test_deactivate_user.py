"""deactivateUser / reactivateUser: a deactivated user signs in by no method, their sessions
end and their API tokens stop answering; what they own stays theirs, and reactivation brings
sign-in and the tokens back."""

from __future__ import annotations

import time

from config import Config, configure, get_config
from models import ApiToken, AuditEvent, AuthMethod, Invitation, Project, Role, Session, User
from tests.deactivation.queries import (
    DEACTIVATE,
    LOGIN,
    ME,
    OWNED,
    REACTIVATE,
    USERS_BY_STATUS,
    login_input,
)
from tests.factories import DEFAULT_PASSWORD
from tests.tokens.helpers import refused_as_a_token_request


async def deactivate(gql, by, target) -> dict:
    return (await gql(DEACTIVATE, {"id": target.id}, as_=by)).payload("deactivateUser")


async def test_a_deactivated_user_shows_as_deactivated(gql, cast):
    payload = await deactivate(gql, cast.admin_a, cast.member_a)
    assert payload == {
        "__typename": "UserPayload",
        "user": {"id": cast.member_a.id, "status": "DEACTIVATED"},
    }
    assert (await User.get(id=cast.member_a.user.id)).deactivated_at is not None


async def test_deactivation_ends_every_session_of_the_user(gql, cast):
    await deactivate(gql, cast.admin_a, cast.member_a)
    assert not await Session.filter(user_id=cast.member_a.user.id).exists()
    assert (await gql(ME, as_=cast.member_a)).ok()["me"] is None


async def test_a_deactivated_user_cannot_log_in_with_the_right_password(gql, cast):
    await deactivate(gql, cast.admin_a, cast.member_a)
    refused = await gql(LOGIN, login_input("mallory", DEFAULT_PASSWORD))
    wrong = await gql(LOGIN, login_input("alice", "not her password"))
    assert refused.payload("login")["__typename"] == "InvalidCredentials"
    # The same answer as a wrong password: sign-in does not tell who is deactivated.
    assert refused.payload("login") == wrong.payload("login")
    assert not await Session.filter(user_id=cast.member_a.user.id).exists()


async def test_a_deactivated_users_login_waits_out_the_failure_delay(gql, cast):
    await deactivate(gql, cast.admin_a, cast.member_a)
    before = get_config()
    configure(Config(**{**before.model_dump(), "login_failure_seconds": 0.4}))
    try:
        started = time.monotonic()
        await gql(LOGIN, login_input("mallory", DEFAULT_PASSWORD))
        assert time.monotonic() - started >= 0.4
    finally:
        configure(before)


async def test_a_deactivated_users_api_token_answers_like_an_unknown_one(gql, cast, make):
    token, secret = await make.api_token(cast.member_a.user)
    await deactivate(gql, cast.admin_a, cast.member_a)
    assert (await gql(ME, token=secret)).ok()["me"] is None
    assert (
        await gql('mutation { createProject(name: "x") { __typename } }', token=secret)
    ).codes == ["UNAUTHENTICATED"]
    assert await ApiToken.exists(id=token.id)  # kept, for reactivation


async def test_what_a_deactivated_user_owns_stays_theirs(gql, cast, make):
    project = await make.project(cast.member_a.user, "kept-project")
    token, _ = await make.api_token(cast.member_a.user, "kept-token")
    invitation = await Invitation.create(
        tenant=cast.tenant_a, username="newbie", username_key="newbie",
        email="newbie@acme.example", email_key="newbie@acme.example", role=Role.GUEST,
        auth_method=AuthMethod.PASSWORD, nonce="0" * 64, expires_at=token.created_at,
        invited_by=cast.member_a.user,
    )  # fmt: skip
    await deactivate(gql, cast.admin_a, cast.member_a)
    assert (await Project.get(id=project.id)).owner_id == cast.member_a.user.id  # type: ignore[attr-defined]
    assert (await ApiToken.get(id=token.id)).owner_id == cast.member_a.user.id  # type: ignore[attr-defined]
    assert (await Invitation.get(id=invitation.id)).invited_by_id == cast.member_a.user.id  # type: ignore[attr-defined]
    owned = (await gql(OWNED, {"id": cast.member_a.id}, as_=cast.admin_a)).ok()["user"]
    assert owned == {
        "ownedProjects": [{"name": "kept-project"}],
        "ownedTokens": [{"name": "kept-token"}],
    }


async def test_reactivation_restores_sign_in_and_the_api_tokens(gql, cast, make):
    _, secret = await make.api_token(cast.member_a.user)
    await deactivate(gql, cast.admin_a, cast.member_a)
    result = await gql(REACTIVATE, {"id": cast.member_a.id}, as_=cast.admin_a)
    assert result.payload("reactivateUser")["user"]["status"] == "ACTIVE"
    assert (await gql(ME, token=secret)).ok()["me"] == {"username": "mallory", "status": "ACTIVE"}
    login = await gql(LOGIN, login_input("mallory", DEFAULT_PASSWORD))
    assert login.payload("login")["__typename"] == "LoginSuccess"


async def test_reactivation_does_not_bring_ended_sessions_back(gql, cast):
    await deactivate(gql, cast.admin_a, cast.member_a)
    await gql(REACTIVATE, {"id": cast.member_a.id}, as_=cast.admin_a)
    assert (await gql(ME, as_=cast.member_a)).ok()["me"] is None


async def test_deactivating_twice_changes_nothing_the_second_time(gql, cast):
    await deactivate(gql, cast.admin_a, cast.member_a)
    first = (await User.get(id=cast.member_a.user.id)).deactivated_at
    again = await deactivate(gql, cast.admin_a, cast.member_a)
    assert again["user"]["status"] == "DEACTIVATED"
    assert (await User.get(id=cast.member_a.user.id)).deactivated_at == first
    assert await AuditEvent.filter(action="user.deactivated").count() == 1


async def test_reactivating_an_active_user_changes_nothing(gql, cast):
    result = await gql(REACTIVATE, {"id": cast.member_a.id}, as_=cast.admin_a)
    assert result.payload("reactivateUser")["user"]["status"] == "ACTIVE"
    assert not await AuditEvent.filter(action="user.reactivated").exists()


async def test_deactivation_and_reactivation_are_audited(gql, cast):
    await deactivate(gql, cast.admin_a, cast.member_a)
    await gql(REACTIVATE, {"id": cast.member_a.id}, as_=cast.admin_a)
    events = await AuditEvent.filter(target_id=cast.member_a.id).order_by("at")
    assert [(e.action, e.changes) for e in events] == [
        ("user.deactivated", {"status": "DEACTIVATED", "sessionsEnded": 1}),
        ("user.reactivated", {"status": "ACTIVE"}),
    ]
    assert {e.actor_id for e in events} == {cast.admin_a.user.id}  # type: ignore[attr-defined]


async def test_an_admin_may_deactivate_themself_while_another_admin_remains(gql, cast):
    payload = await deactivate(gql, cast.admin_a, cast.admin_a)
    assert payload["user"]["status"] == "DEACTIVATED"
    assert (await gql(ME, as_=cast.admin_a)).ok()["me"] is None


# ---------------------------------------------------------------- users(status:)


async def test_users_filters_by_status(gql, cast, make):
    await make.user(cast.tenant_a, username="pending", email_verified=False)
    await deactivate(gql, cast.admin_a, cast.member_a)
    listed = {}
    for status in ["ACTIVE", "DEACTIVATED", "PENDING_VERIFICATION"]:
        page = (await gql(USERS_BY_STATUS, {"status": status}, as_=cast.admin_a)).ok()["users"]
        listed[status] = {e["node"]["username"] for e in page["edges"]}
        assert page["totalCount"] == len(listed[status])
        assert {e["node"]["status"] for e in page["edges"]} == {status}
    assert listed == {
        "ACTIVE": {"root", "alice", "gus"},
        "DEACTIVATED": {"mallory"},
        "PENDING_VERIFICATION": {"pending"},
    }
    everyone = (await gql(USERS_BY_STATUS, as_=cast.admin_a)).ok()["users"]
    assert everyone["totalCount"] == 5


async def test_a_deactivated_unverified_sign_up_shows_as_deactivated(gql, cast, make):
    pending = await make.user(cast.tenant_a, username="pending", email_verified=False)
    result = await gql(DEACTIVATE, {"id": str(pending.id)}, as_=cast.admin_a)
    assert result.payload("deactivateUser")["user"]["status"] == "DEACTIVATED"
    result = await gql(REACTIVATE, {"id": str(pending.id)}, as_=cast.admin_a)
    assert result.payload("reactivateUser")["user"]["status"] == "PENDING_VERIFICATION"


# ---------------------------------------------------------------- API-token requests


async def test_an_admins_api_token_may_deactivate_a_member(gql, cast, make):
    _, secret = await make.api_token(cast.admin_a.user)
    result = await gql(DEACTIVATE, {"id": cast.member_a.id}, token=secret)
    assert result.payload("deactivateUser")["user"]["status"] == "DEACTIVATED"


async def test_an_api_token_request_reactivates_nobody(gql, cast, make):
    """Reactivation brings the user's API tokens back, leaked ones too: a leaked admin token
    must not revive them."""
    _, secret = await make.api_token(cast.admin_a.user)
    await deactivate(gql, cast.admin_a, cast.member_a)
    refused_as_a_token_request(await gql(REACTIVATE, {"id": cast.member_a.id}, token=secret))
    assert (await User.get(id=cast.member_a.user.id)).deactivated_at is not None
