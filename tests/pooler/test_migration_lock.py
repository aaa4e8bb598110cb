"""The migration lock holds on PostgreSQL, through PgBouncer in transaction pooling mode too
(the pass that sets TENANTRY_TEST_PGBOUNCER_URL): it is a transaction-level lock in a
transaction kept open, never a session lock the pooler would hand to another client with the
server connection it sits on."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from config import Config
from models.db import ADVISORY_LOCK_KEY, migration_lock

pytestmark = pytest.mark.postgres


async def _taken_by_another_client() -> bool:
    """Whether a transaction on the app's pool gets the lock (and lets it go at once)."""
    async with in_transaction() as transaction:
        rows = await transaction.execute_query_dict(
            "SELECT pg_try_advisory_xact_lock($1) AS taken", [ADVISORY_LOCK_KEY]
        )
    return bool(rows[0]["taken"])


async def test_while_the_migration_lock_is_held_no_pooled_connection_takes_it(
    app: object, config: Config
):
    async with migration_lock(config.database_url):
        attempts = await asyncio.gather(*(_taken_by_another_client() for _ in range(20)))
    assert not any(attempts)


async def test_the_migration_lock_is_free_again_once_its_holder_is_done(
    app: object, config: Config
):
    async with migration_lock(config.database_url):
        pass
    assert await _taken_by_another_client()


async def test_two_holders_of_the_migration_lock_take_turns(app: object, config: Config):
    inside: list[str] = []
    overlaps = 0

    async def hold(name: str) -> None:
        nonlocal overlaps
        async with migration_lock(config.database_url):
            overlaps += bool(inside)
            inside.append(name)
            await asyncio.sleep(0.3)
            inside.remove(name)

    await asyncio.gather(hold("first"), hold("second"), hold("third"))
    assert overlaps == 0
