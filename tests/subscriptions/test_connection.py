"""Who may open a subscription connection, and what it serves."""

from __future__ import annotations

import hashlib
import json

from tests.factories import Cast, Factory
from tests.subscriptions.client import OWN_ORIGIN, connection, signed_in, subscribed

USERS = "subscription { userChanged { kind userId user { username role } } }"
UPDATE_ROLE = """
mutation($input: UpdateUserInput!) { updateUser(input: $input) { __typename } }
"""


async def _role_change_is_seen(conn, gql, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    subscription = await subscribed(conn, USERS)
    await gql(UPDATE_ROLE, {"input": {"id": cast.member_a.id, "role": "GUEST"}}, as_=cast.admin_a)
    change = await conn.data(subscription, "userChanged")
    assert change == {
        "kind": "UPDATED", "userId": cast.member_a.id,
        "user": {"username": "mallory", "role": "GUEST"},
    }  # fmt: skip


async def test_a_session_cookie_from_our_own_origin_signs_the_connection_in(
    ws_url: str, gql, cast: Cast
) -> None:
    async with connection(ws_url, cookie=cast.admin_a.token, origin=OWN_ORIGIN) as conn:
        assert (await conn.init())["type"] == "connection_ack"
        await _role_change_is_seen(conn, gql, cast)


async def test_a_session_token_in_connection_init_signs_the_connection_in(
    ws_url: str, gql, cast: Cast
) -> None:
    async with signed_in(ws_url, cast.admin_a.token) as conn:
        await _role_change_is_seen(conn, gql, cast)


async def test_a_token_in_connection_init_is_accepted_from_any_origin(
    ws_url: str, gql, cast: Cast
) -> None:
    async with connection(ws_url, origin="https://app.elsewhere.example") as conn:
        assert (await conn.init({"token": cast.admin_a.token}))["type"] == "connection_ack"
        await _role_change_is_seen(conn, gql, cast)


async def test_an_api_token_in_connection_init_signs_the_connection_in(
    ws_url: str, gql, cast: Cast, make: Factory
) -> None:
    _, secret = await make.api_token(cast.admin_a.user)
    async with signed_in(ws_url, secret) as conn:
        await _role_change_is_seen(conn, gql, cast)


async def test_a_connection_without_credentials_is_closed_at_init(ws_url: str) -> None:
    async with connection(ws_url) as conn:
        await conn.send({"type": "connection_init", "payload": {}})
        closed = await conn.closed()
        assert closed.code == 4403


async def test_an_unknown_token_in_connection_init_is_refused(ws_url: str) -> None:
    for payload in (
        {"authorization": "Bearer tns_not-a-session"},
        {"token": "tnt_not-a-token"},
        {"authorization": "Basic abc"},
        {"token": 42},
    ):
        async with connection(ws_url) as conn:
            await conn.send({"type": "connection_init", "payload": payload})
            assert (await conn.closed()).code == 4403, payload


async def test_a_session_cookie_counts_from_the_origin_of_a_public_url_with_a_path(
    ws_url_with, cast: Cast
) -> None:  # type: ignore[no-untyped-def]
    async with ws_url_with(public_url="http://tenantry.test/accounts") as url:
        async with connection(url, cookie=cast.admin_a.token, origin=OWN_ORIGIN) as conn:
            assert (await conn.init())["type"] == "connection_ack"


async def test_a_session_cookie_sent_from_another_origin_is_ignored(
    ws_url: str, cast: Cast
) -> None:
    # A page elsewhere opening a WebSocket to us would carry the visitor's cookie.
    for origin in ("https://evil.example", "http://tenantry.test.evil.example", "null"):
        async with connection(ws_url, cookie=cast.admin_a.token, origin=origin) as conn:
            await conn.send({"type": "connection_init", "payload": {}})
            assert (await conn.closed()).code == 4403, origin


async def test_a_session_cookie_counts_from_an_origin_the_cors_setting_lists(
    ws_url_with, cast: Cast
) -> None:  # type: ignore[no-untyped-def]
    async with ws_url_with(cors_origins=["http://localhost:5173"]) as url:
        async with connection(
            url, cookie=cast.admin_a.token, origin="http://localhost:5173"
        ) as conn:
            assert (await conn.init())["type"] == "connection_ack"
        async with connection(
            url, cookie=cast.admin_a.token, origin="http://localhost:5174"
        ) as conn:
            await conn.send({"type": "connection_init", "payload": {}})
            assert (await conn.closed()).code == 4403


async def test_a_signed_out_session_cookie_is_refused(ws_url: str, gql, cast: Cast) -> None:
    await gql("mutation { logout { ok } }", as_=cast.admin_a)
    async with connection(ws_url, cookie=cast.admin_a.token, origin=OWN_ORIGIN) as conn:
        await conn.send({"type": "connection_init", "payload": {}})
        assert (await conn.closed()).code == 4403


async def test_queries_and_mutations_are_refused_over_the_websocket(
    ws_url: str, cast: Cast
) -> None:
    async with signed_in(ws_url, cast.admin_a.token) as conn:
        for document in ("{ me { username } }", "mutation { logout { ok } }"):
            operation = await conn.subscribe(document)
            message = await conn.next_for(operation)
            assert message["type"] == "error", message
            assert "subscriptions only" in message["payload"][0]["message"]


async def test_a_connection_holds_at_most_the_configured_number_of_subscriptions(
    ws_url: str, cast: Cast, config
) -> None:  # type: ignore[no-untyped-def]
    async with signed_in(ws_url, cast.admin_a.token) as conn:
        for _ in range(config.max_subscriptions_per_connection):
            await conn.subscribe(USERS)
        over = await conn.subscribe(USERS)
        message = await conn.next_for(over)
        assert message["type"] == "error"
        assert message["payload"][0]["message"] == "Subscription limit reached"


async def test_a_subscription_sent_over_http_is_told_where_subscriptions_are_served(
    http, cast: Cast
) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {cast.admin_a.token}"}
    post = await http.post("/graphql", json={"query": USERS}, headers=headers)
    get = await http.get("/graphql", params={"query": USERS}, headers=headers)
    for response in (post, get):
        assert response.status_code == 400
        assert response.json()["errors"][0]["message"] == (
            "Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql."
        )


async def test_trusted_documents_apply_over_the_websocket(
    ws_url_with, cast: Cast, tmp_path
) -> None:  # type: ignore[no-untyped-def]

    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({hashlib.sha256(USERS.encode()).hexdigest(): USERS}))
    async with ws_url_with(trusted_documents=manifest) as url:
        async with signed_in(url, cast.admin_a.token) as conn:
            other = await conn.subscribe("subscription { userChanged { kind } }")
            refused = await conn.next_for(other)
            assert refused["type"] == "error"
            assert refused["payload"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"
            digest = hashlib.sha256(USERS.encode()).hexdigest()
            # Each runs (is in place rather than refused).
            persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
            await subscribed(conn, None, extensions=persisted)  # type: ignore[arg-type]
            await subscribed(conn, USERS)
