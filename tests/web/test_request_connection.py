"""models/request_connection.py on PostgreSQL: a request's statements share one connection,
its transactions run on it, and nothing the request left running keeps a connection."""

from __future__ import annotations

import asyncio

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from models import Tenant
from models.request_connection import let_go_of_request_connection, request_connection

pytestmark = pytest.mark.postgres


def backend_pid_query() -> str:
    return "SELECT pg_backend_pid() AS pid"


async def backend_pid() -> int:
    rows = await connections.get("default").execute_query_dict(backend_pid_query())
    return int(rows[0]["pid"])


async def test_a_requests_statements_share_one_connection(app: object) -> None:
    async with request_connection() as client:
        pids = {await backend_pid() for _ in range(5)}

    assert len(pids) == 1
    assert client is not None and client._connection is None  # back in the pool


async def test_a_transaction_in_a_request_runs_on_its_connection_and_commits(app: object) -> None:
    async with request_connection() as client:
        outside = await backend_pid()
        async with in_transaction() as transaction:
            inside = (await transaction.execute_query_dict(backend_pid_query()))[0]["pid"]
            await Tenant.create(name="held", name_key="held")

    assert inside == outside
    assert await Tenant.filter(name="held").exists()
    assert client is not None and client._connection is None


async def test_a_transaction_in_a_request_rolls_back_on_an_error(app: object) -> None:
    with pytest.raises(RuntimeError):
        async with request_connection() as client, in_transaction():
            await Tenant.create(name="undone", name_key="undone")
            raise RuntimeError("refused")

    assert not await Tenant.filter(name="undone").exists()
    assert client is not None and client._connection is None


async def test_a_request_that_writes_lets_its_connection_go(app: object) -> None:
    async with request_connection() as client:
        await backend_pid()
        let_go_of_request_connection()
        await backend_pid()
        assert client is not None and client._connection is None


async def test_a_task_that_outlives_its_request_keeps_no_connection(app: object) -> None:
    go = asyncio.Event()

    async def straggler() -> int:
        await go.wait()
        return await backend_pid()

    async with request_connection() as client:
        held = await backend_pid()
        task = asyncio.create_task(straggler())
    go.set()
    await task

    # The straggler's statement took a connection from the pool and gave it back.
    assert client is not None and client._connection is None
    assert held
