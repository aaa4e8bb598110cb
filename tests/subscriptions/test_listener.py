"""PostgreSQL: each process LISTENs on one connection of its own; when it drops, nothing is
pretended: the subscriptions end (their clients subscribe again and reload), and the process
listens again by itself."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tortoise import connections

from domain.events import APPLICATION_NAME, hub
from tests.factories import Cast
from tests.subscriptions.client import Connection, signed_in
from tests.subscriptions.test_connection import UPDATE_ROLE
from tests.subscriptions.test_reach import USERS, ending, subscribed

pytestmark = pytest.mark.postgres


async def test_a_lost_listen_connection_ends_the_subscriptions_and_comes_back(
    ws_url: str, gql: Any, cast: Cast
) -> None:
    async with signed_in(ws_url, cast.admin_a.token) as conn:
        operation = await subscribed(conn, USERS)
        await connections.get("default").execute_query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            [APPLICATION_NAME],
        )
        assert await ending(conn, operation) == "SUBSCRIPTION_ENDED"
        # Refused while not listening; then events flow again, without a restart.
        for _ in range(50):
            opened = hub.opened
            again = await conn.subscribe(USERS)
            if await _in_place(conn, again, opened):
                await gql(UPDATE_ROLE, {"input": {"id": cast.member_a.id, "role": "GUEST"}},
                          as_=cast.admin_a)  # fmt: skip
                change = await conn.data(again, "userChanged")
                assert change["userId"] == cast.member_a.id
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the process did not listen again")


async def _in_place(conn: Connection, operation: str, opened: int) -> bool:
    """True once the subscription's feed is open; False when it was refused instead."""
    while hub.opened == opened:
        try:
            message = await conn.receive(within=0.01)
        except TimeoutError:
            continue
        assert message["id"] == operation, message
        assert message["payload"]["errors"][0]["extensions"]["code"] == "SUBSCRIPTION_ENDED"
        assert (await conn.receive()) == {"id": operation, "type": "complete"}
        return False
    return True
