"""The PostgreSQL pool hands connections out in the order they were asked for
(models/postgres_engine.py): no request waits while later ones are served."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from tortoise import connections
from tortoise.backends.base.config_generator import expand_db_url

from models.postgres_engine import FairPool, PostgresClient
from tests.postgres import admin_url

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pool() -> AsyncIterator[FairPool]:
    """A pool of one connection, made as the app's client makes its pool, with asyncpg's own
    connections (their reset statement on release gives other tasks time to ask meanwhile)."""
    credentials = expand_db_url(admin_url())["credentials"]
    client = PostgresClient(**credentials, connection_name="fair_pool_test")
    made = await client.create_pool(
        host=credentials["host"], port=credentials["port"], user=credentials["user"],
        database=credentials["database"], min_size=1, max_size=1,
    )  # fmt: skip
    yield made
    await made.close()


async def test_connections_are_granted_in_the_order_they_were_asked_for(pool: FairPool) -> None:
    asked: list[tuple[int, int]] = []
    granted: list[tuple[int, int]] = []

    async def worker(number: int) -> None:
        for turn in range(40):
            # Different numbers of hops between turns, so that askers meet returns at every
            # point of a release (asyncpg's own pool granted 76 to 127 of these 640 out of
            # order in eight runs).
            for _ in range((number * 7 + turn * 3) % 13):
                await asyncio.sleep(0)
            asked.append((number, turn))
            connection = await pool.acquire()
            granted.append((number, turn))
            try:
                await asyncio.sleep(0)
            finally:
                await pool.release(connection)

    await asyncio.gather(*(worker(number) for number in range(16)))
    assert len(granted) == 640
    assert granted == asked
    async with pool.acquire() as connection:
        assert await connection.fetchval("SELECT 1") == 1


async def test_a_connection_released_twice_gives_back_one_turn(pool: FairPool) -> None:
    connection = await pool.acquire()
    await pool.release(connection)
    await pool.release(connection)
    first = await pool.acquire()
    waiting = asyncio.ensure_future(pool.acquire())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await pool.release(first)
    await pool.release(await asyncio.wait_for(waiting, 5))


async def test_an_acquisition_that_times_out_gives_its_turn_back(pool: FairPool) -> None:
    held = await pool.acquire()
    with pytest.raises(TimeoutError):
        await pool.acquire(timeout=0.05)
    await pool.release(held)
    await pool.release(await asyncio.wait_for(pool.acquire(), 5))


async def test_the_apps_postgresql_connection_uses_the_fair_pool(app: object) -> None:
    client = connections.get("default")
    await client.execute_query("SELECT 1")
    assert isinstance(client._pool, FairPool)
