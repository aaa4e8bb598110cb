"""On SQLite, a request that only reads runs its reads outside transactions on a read-only
connection of their own (models/sqlite_engine.py): they do not wait for a transaction in
progress and see only what is committed; a transaction still reads its own writes, and a
request that writes reads on the writer's connection."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from pathlib import Path

from tortoise.transactions import in_transaction

from models import Tenant
from models.sqlite_engine import (
    ImmediateSqliteClient,
    is_plain_select,
    reading_together,
    reads_apart,
)
from tests.factories import Factory
from tests.graphql_client import GraphQLClient


@contextlib.asynccontextmanager
async def renaming_in_a_transaction(tenant: Tenant) -> AsyncIterator[None]:
    """Within the block, a transaction that renamed the tenant is still open."""
    written, finish = asyncio.Event(), asyncio.Event()

    async def rename() -> None:
        async with in_transaction():
            await Tenant.filter(id=tenant.id).update(name="renamed", name_key="renamed")
            written.set()
            await finish.wait()

    renaming = asyncio.create_task(rename())
    await written.wait()
    try:
        yield
    finally:
        finish.set()
        await renaming


async def test_a_read_apart_does_not_wait_for_a_transaction_in_progress(
    sqlite_file: Path, make: Factory
) -> None:
    tenant = await make.tenant()
    with reads_apart():
        async with renaming_in_a_transaction(tenant):
            seen = await asyncio.wait_for(Tenant.get(id=tenant.id), timeout=5)

    assert seen.name == tenant.name
    assert (await Tenant.get(id=tenant.id)).name == "renamed"


async def test_a_read_together_waits_for_the_transaction_and_sees_its_writes(
    sqlite_file: Path, make: Factory
) -> None:
    tenant = await make.tenant()
    with reads_apart():
        reading_together()
        async with renaming_in_a_transaction(tenant):
            read = asyncio.ensure_future(Tenant.get(id=tenant.id))
            await asyncio.sleep(0.2)
            waited = not read.done()
        seen = await read

    assert waited
    assert seen.name == "renamed"


async def test_a_graphql_query_answers_while_a_transaction_is_in_progress(
    sqlite_file: Path, make: Factory, gql: GraphQLClient
) -> None:
    tenant = await make.tenant()
    person = await make.person(tenant)

    async with renaming_in_a_transaction(tenant):
        answer = await asyncio.wait_for(
            gql("{ me { username tenant { name } } }", as_=person), timeout=5
        )

    assert answer.ok()["me"]["tenant"]["name"] == tenant.name


async def test_a_transaction_reads_its_own_writes(sqlite_file: Path, make: Factory) -> None:
    tenant = await make.tenant()
    with reads_apart():
        async with in_transaction():
            await Tenant.filter(id=tenant.id).update(name="renamed", name_key="renamed")
            seen = await Tenant.get(id=tenant.id)

    assert seen.name == "renamed"


async def test_a_write_outside_a_transaction_is_read_apart_at_once(
    sqlite_file: Path, make: Factory
) -> None:
    tenant = await make.tenant()
    with reads_apart():
        await Tenant.filter(id=tenant.id).update(name="renamed", name_key="renamed")
        seen = await Tenant.get(id=tenant.id)

    assert seen.name == "renamed"


def test_only_a_plain_select_counts_as_a_read() -> None:
    assert is_plain_select('SELECT "id" FROM "tenant"')
    assert is_plain_select("  select 1")
    assert not is_plain_select('WITH x AS (SELECT 1) UPDATE "tenant" SET name = name')
    assert not is_plain_select('UPDATE "tenant" SET name = name')
    assert not is_plain_select("PRAGMA wal_checkpoint(PASSIVE)")
    assert not is_plain_select("SELECTED")


async def test_a_database_in_memory_reads_on_its_only_connection() -> None:
    client = ImmediateSqliteClient(":memory:", connection_name="memory")
    await client.create_connection(with_db=True)
    with reads_apart():
        await client.execute_script("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
        _count, rows = await client.execute_query("SELECT x FROM t")
        await client.close()

    assert [tuple(row) for row in rows] == [(1,)]


def _connection_threads() -> set[threading.Thread]:
    # aiosqlite runs each connection in a thread of this target (Python names threads by it).
    return {t for t in threading.enumerate() if "_connection_worker_thread" in t.name}


async def test_closing_the_client_stops_both_connections_threads(tmp_path: Path) -> None:
    before = _connection_threads()
    client = ImmediateSqliteClient(str(tmp_path / "two.db"), connection_name="two")
    await client.create_connection(with_db=True)
    await client.execute_script("CREATE TABLE t (x INTEGER)")
    with reads_apart():
        await client.execute_query("SELECT x FROM t")
    running = _connection_threads() - before

    await client.close()
    for thread in running:
        thread.join(timeout=5)

    assert len(running) == 2
    assert not any(thread.is_alive() for thread in running)
