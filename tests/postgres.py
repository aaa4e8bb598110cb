"""Where the PostgreSQL pass finds its databases.

`TENANTRY_TEST_POSTGRES_URL` reaches PostgreSQL directly: databases are created and dropped
there (CREATE DATABASE is no business of a pooler's). When `TENANTRY_TEST_PGBOUNCER_URL` is set
too (the pass through PgBouncer in transaction pooling mode, `.ci/run`), the app reaches those
databases through the pooler, as operators deploy it: `TENANTRY_DATABASE_POOLER=transaction`,
and the direct URL for the subscriptions' LISTEN connection.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest


def admin_url() -> str:
    url = os.environ.get("TENANTRY_TEST_POSTGRES_URL")
    if not url:
        pytest.fail("--db=postgres needs TENANTRY_TEST_POSTGRES_URL")
    return url


def pooler_url() -> str | None:
    return os.environ.get("TENANTRY_TEST_PGBOUNCER_URL") or None


def _on(server_url: str, name: str) -> str:
    return f"{server_url.rsplit('/', 1)[0]}/{name}"


def direct_url(name: str) -> str:
    return _on(admin_url(), name)


def settings_for(name: str) -> dict[str, str]:
    """The Config fields that reach database `name` the way this pass's app does."""
    pooler = pooler_url()
    if pooler is None:
        return {"database_url": direct_url(name)}
    return {
        "database_url": _on(pooler, name),
        "database_pooler": "transaction",
        "database_direct_url": direct_url(name),
    }


def environment_for(name: str) -> dict[str, str]:
    """`settings_for` as the environment of a `tenantry` process."""
    return {f"TENANTRY_{key.upper()}": value for key, value in settings_for(name).items()}


async def connect_directly(name: str | None = None) -> asyncpg.Connection:
    """To database `name` (else the admin URL's), bypassing any pooler."""
    url = direct_url(name) if name else admin_url()
    return await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))


@asynccontextmanager
async def new_database(prefix: str) -> AsyncIterator[str]:
    """A new empty database, created directly on PostgreSQL; its name. Dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await connect_directly()
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def reachable_through_pooler(name: str) -> None:
    """Behind PgBouncer, once PostgreSQL takes connections again after an outage: until the
    pooler has logged in again too. It turns new clients away meanwhile ("server login has
    been failing"), which its users meet as the outage lasting that much longer."""
    pooler = pooler_url()
    if pooler is None:
        return
    url = _on(pooler, name).replace("postgres://", "postgresql://", 1)
    for _ in range(100):
        try:
            connection = await asyncpg.connect(url, statement_cache_size=0)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await asyncio.sleep(0.1)
            continue
        try:
            await connection.fetchval("SELECT 1")
            return
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await asyncio.sleep(0.1)
        finally:
            await connection.close()
    raise AssertionError(f"{name} unreachable through PgBouncer")
