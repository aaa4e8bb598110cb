"""What each caller receives: the reach of the matching queries, read again as roles change.

A change that must not reach a subscriber is followed by one that must: the first thing the
subscriber receives has to be the second, so no test waits for something not to happen."""

from __future__ import annotations

from typing import Any

import pytest

from models import Role
from tests.factories import Cast, Factory
from tests.invitations.queries import ACCEPT, DELETE, SEND
from tests.subscriptions.client import Connection, signed_in, subscribed
from tests.subscriptions.test_connection import UPDATE_ROLE

INVITATIONS = """
subscription($tenantId: ID) {
  invitationChanged(tenantId: $tenantId) { kind invitationId invitation { username emailStatus } }
}
"""
USERS = """
subscription($tenantId: ID) {
  userChanged(tenantId: $tenantId) { kind userId user { username role superuser } }
}
"""
SET_SUPERUSER = """
mutation($id: ID!, $on: Boolean!) { setSuperuser(userId: $id, superuser: $on) { __typename } }
"""
DELETE_USER = "mutation($id: ID!) { deleteUser(id: $id) { __typename } }"

pytestmark = pytest.mark.usefixtures("smtp_down")  # invitations queue mail nobody sends yet


async def invite(gql: Any, as_: Any, username: str) -> dict[str, Any]:
    variables = {"input": {"username": username, "email": f"{username}@invitee.example",
                           "role": "GUEST"}}  # fmt: skip
    payload = (await gql(SEND, variables, as_=as_)).payload("sendInvitation")
    assert payload["__typename"] == "InvitationPayload", payload
    return payload["invitation"]  # type: ignore[no-any-return]


async def invited(conn: Connection, operation: str) -> str:
    change = await conn.data(operation, "invitationChanged")
    assert change["kind"] == "CREATED", change
    return change["invitation"]["username"]  # type: ignore[no-any-return]


async def ending(conn: Connection, operation: str) -> str | None:
    """The error code a subscription ends with (then `complete`)."""
    message = await conn.next_for(operation)
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    if message["type"] == "next":
        assert (await conn.next_for(operation))["type"] == "complete"
    return errors[0]["extensions"]["code"]  # type: ignore[no-any-return]


async def test_a_guest_may_not_subscribe(ws_url: str, cast: Cast) -> None:
    async with signed_in(ws_url, cast.guest_a.token) as conn:
        for query in (INVITATIONS, USERS):
            operation = await conn.subscribe(query)
            assert await ending(conn, operation) == "FORBIDDEN"


async def test_an_admin_receives_their_own_tenants_invitations_only(
    ws_url: str, gql: Any, cast: Cast
) -> None:
    async with signed_in(ws_url, cast.admin_a.token) as conn:
        # Another tenant's ID changes nothing for an admin, as in `invitations`.
        operation = await subscribed(conn, INVITATIONS, {"tenantId": str(cast.tenant_b.id)})
        await invite(gql, cast.admin_b, "elsewhere")
        await invite(gql, cast.member_a, "here")
        assert await invited(conn, operation) == "here"


async def test_a_member_receives_the_invitations_they_sent_only(
    ws_url: str, gql: Any, cast: Cast
) -> None:
    async with signed_in(ws_url, cast.member_a.token) as conn:
        operation = await subscribed(conn, INVITATIONS)
        await invite(gql, cast.admin_a, "by-the-admin")
        await invite(gql, cast.member_a, "by-the-member")
        assert await invited(conn, operation) == "by-the-member"


async def test_a_superuser_without_tenant_id_receives_every_tenants_changes(
    ws_url: str, gql: Any, cast: Cast
) -> None:
    async with signed_in(ws_url, cast.superuser.token) as conn:
        operation = await subscribed(conn, INVITATIONS)
        await invite(gql, cast.admin_b, "in-b")
        assert await invited(conn, operation) == "in-b"
        await invite(gql, cast.admin_a, "in-a")
        assert await invited(conn, operation) == "in-a"


async def test_a_superuser_naming_a_tenant_receives_that_tenants_changes_only(
    ws_url: str, gql: Any, cast: Cast
) -> None:
    async with signed_in(ws_url, cast.superuser.token) as conn:
        operation = await subscribed(conn, INVITATIONS, {"tenantId": str(cast.tenant_b.id)})
        await invite(gql, cast.admin_a, "in-a")
        await invite(gql, cast.admin_b, "in-b")
        assert await invited(conn, operation) == "in-b"


async def test_a_deleted_invitation_comes_without_its_object(
    ws_url: str, gql: Any, cast: Cast
) -> None:
    invitation = await invite(gql, cast.admin_a, "short-lived")
    async with signed_in(ws_url, cast.admin_a.token) as conn:
        operation = await subscribed(conn, INVITATIONS)
        await gql(DELETE, {"id": invitation["id"]}, as_=cast.admin_a)
        change = await conn.data(operation, "invitationChanged")
        assert change == {"kind": "DELETED", "invitationId": invitation["id"], "invitation": None}


async def test_an_accepted_invitation_goes_and_its_user_joins(
    ws_url: str, gql: Any, cast: Cast
) -> None:
    invitation = await invite(gql, cast.admin_a, "newcomer")
    token = invitation["link"].split("?token=", 1)[1]
    async with signed_in(ws_url, cast.admin_a.token) as conn:
        invitations = await subscribed(conn, INVITATIONS)
        users = await subscribed(conn, USERS)
        password = {"token": token, "password": "a long and private passphrase"}
        accepted = await gql(ACCEPT, {"input": password})
        assert accepted.payload("acceptInvitation")["__typename"] == "LoginSuccess"
        seen = {}
        for _ in range(2):
            message = await conn.receive()
            assert message["type"] == "next", message
            seen[message["id"]] = message["payload"]["data"]
        assert seen[invitations]["invitationChanged"]["kind"] == "DELETED"
        joined = seen[users]["userChanged"]
        assert joined["kind"] == "CREATED"
        assert joined["user"] == {"username": "newcomer", "role": "GUEST", "superuser": False}


async def test_an_admin_receives_their_tenants_user_changes_only(
    ws_url: str, gql: Any, cast: Cast
) -> None:
    async with signed_in(ws_url, cast.admin_b.token) as conn:
        operation = await subscribed(conn, USERS)
        await gql(UPDATE_ROLE, {"input": {"id": cast.member_a.id, "role": "GUEST"}},
                  as_=cast.admin_a)  # fmt: skip
        await gql(DELETE_USER, {"id": cast.member_b.id}, as_=cast.admin_b)
        change = await conn.data(operation, "userChanged")
        assert change == {"kind": "DELETED", "userId": cast.member_b.id, "user": None}


async def test_an_admin_demoted_to_member_then_receives_only_their_own_invitations(
    ws_url: str, gql: Any, cast: Cast
) -> None:
    async with signed_in(ws_url, cast.admin_a.token) as conn:
        operation = await subscribed(conn, INVITATIONS)
        demoted = await gql(UPDATE_ROLE, {"input": {"id": cast.admin_a.id, "role": "MEMBER"}},
                            as_=cast.superuser)  # fmt: skip
        assert demoted.payload("updateUser")["__typename"] == "UserPayload"
        await invite(gql, cast.member_a, "not-theirs")
        await invite(gql, cast.admin_a, "theirs")
        assert await invited(conn, operation) == "theirs"


async def test_a_member_demoted_to_guest_stops_receiving_at_once(
    ws_url: str, gql: Any, cast: Cast
) -> None:
    async with signed_in(ws_url, cast.member_a.token) as conn:
        invitations = await subscribed(conn, INVITATIONS)
        users = await subscribed(conn, USERS)
        await gql(UPDATE_ROLE, {"input": {"id": cast.member_a.id, "role": "GUEST"}},
                  as_=cast.admin_a)  # fmt: skip
        codes = {}
        for _ in range(2):
            message = await conn.receive()
            assert message["type"] == "next" and message["payload"]["errors"], message
            codes[message["id"]] = message["payload"]["errors"][0]["extensions"]["code"]
            assert (await conn.receive()) == {"id": message["id"], "type": "complete"}
        assert codes == {invitations: "FORBIDDEN", users: "FORBIDDEN"}


async def test_a_superuser_losing_the_bit_receives_only_their_own_tenant(
    ws_url: str, gql: Any, cast: Cast, make: Factory
) -> None:
    other = await make.person(cast.tenant_b, role=Role.ADMIN, superuser=True)
    async with signed_in(ws_url, cast.superuser.token) as conn:
        operation = await subscribed(conn, INVITATIONS)
        revoked = await gql(SET_SUPERUSER, {"id": cast.superuser.id, "on": False}, as_=other)
        assert revoked.payload("setSuperuser")["__typename"] == "UserPayload"
        await invite(gql, cast.admin_b, "in-b")
        await invite(gql, cast.admin_a, "in-a")
        assert await invited(conn, operation) == "in-a"


async def test_a_deleted_users_subscriptions_end(ws_url: str, gql: Any, cast: Cast) -> None:
    async with signed_in(ws_url, cast.member_a.token) as conn:
        operation = await subscribed(conn, USERS)
        await gql(DELETE_USER, {"id": cast.member_a.id}, as_=cast.admin_a)
        assert await ending(conn, operation) == "UNAUTHENTICATED"


async def test_signing_out_ends_the_sessions_subscriptions(
    ws_url: str, gql: Any, cast: Cast
) -> None:
    async with signed_in(ws_url, cast.member_a.token) as conn:
        operation = await subscribed(conn, USERS)
        await gql("mutation { logout { ok } }", as_=cast.member_a)
        assert await ending(conn, operation) == "UNAUTHENTICATED"


async def test_revoking_an_api_token_ends_its_subscriptions(
    ws_url: str, gql: Any, cast: Cast, make: Factory
) -> None:
    token, secret = await make.api_token(cast.member_a.user)
    async with signed_in(ws_url, secret) as conn:
        operation = await subscribed(conn, USERS)
        revoke = "mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }"
        await gql(revoke, {"id": str(token.id)}, as_=cast.admin_a)
        assert await ending(conn, operation) == "UNAUTHENTICATED"


async def test_a_quiet_subscription_ends_when_its_session_expires(
    ws_url: str, cast: Cast, config: Any
) -> None:
    from config import configure
    from models import Session

    configure(config.model_copy(update={"subscription_recheck_seconds": 0.2}))
    try:
        async with signed_in(ws_url, cast.member_a.token) as conn:
            operation = await subscribed(conn, USERS)
            await Session.filter(user_id=cast.member_a.user.id).delete()  # as expiry does
            assert await ending(conn, operation) == "UNAUTHENTICATED"
    finally:
        configure(config)


async def test_the_depth_limit_applies_to_subscriptions(ws_url: str, cast: Cast, config) -> None:  # type: ignore[no-untyped-def]
    from config import configure

    configure(config.model_copy(update={"max_query_depth": 2}))
    try:
        async with signed_in(ws_url, cast.admin_a.token) as conn:
            operation = await conn.subscribe(
                "subscription Deep { userChanged { user { tenant { name } } } }"
            )
            assert await ending(conn, operation) == "QUERY_TOO_COMPLEX"
    finally:
        configure(config)
