"""The Tortoise configuration and the migration entry points.

Several processes may start at once on one database (a deployment rolls out, or a service
manager starts them together). Migrations run under one lock per database, `migration_lock`:
the first process migrates, the others wait for it, then find nothing left to apply. The lock
is a PostgreSQL advisory lock (transaction-scoped, so it holds behind PgBouncer in transaction
pooling mode too), or on SQLite an flock on `<database file>.migrate.lock`; both
are released by the server or the kernel when their holder dies, so a waiter can only be
waiting for a live migration and waits as long as it takes (it says so once in the log).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.asyncpg import AsyncpgDBClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as tortoise_migrate

from models import postgres_engine, sqlite_engine
from models.pg_connection import PooledConnection
from models.sqlite import PRAGMAS, database_path

log = logging.getLogger("tenantry.migrations")

MODEL_MODULES = ["models"]
MIGRATIONS_MODULE = "models.migrations"
# Any fixed number works: advisory locks are per database. The first 8 bytes of
# sha256("tenantry migrations"), so it stays clear of other applications' keys.
ADVISORY_LOCK_KEY = -3596626743896497340
WAITING = "waiting for another process to finish migrating"


def tortoise_config(database_url: str, label: str = "default") -> dict[str, Any]:
    connection: str | dict[str, Any] = database_url
    if database_url.startswith("sqlite://"):
        path = database_path(database_url)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = expand_db_url(database_url)
        # Ours first; pragmas given in the URL's query string still win.
        connection["credentials"] = {**PRAGMAS, **connection["credentials"]}
        connection["engine"] = sqlite_engine.ENGINE  # BEGIN IMMEDIATE: see models/sqlite_engine.py
    elif database_url.startswith("postgres://"):
        connection = expand_db_url(database_url)
        if connection["engine"] == "tortoise.backends.asyncpg":
            connection["credentials"]["connection_class"] = PooledConnection
            # Connections handed out first come, first served: see models/postgres_engine.py.
            connection["engine"] = postgres_engine.ENGINE
    return {
        "connections": {label: connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": label,
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(database_url: str, label: str = "default") -> None:
    """Apply pending migrations under the migration lock, then leave Tortoise closed."""
    async with migration_lock(database_url):
        await apply_migrations(database_url, label)


async def apply_migrations(database_url: str, label: str = "default") -> None:
    """Apply pending migrations, then leave Tortoise closed. Hold `migration_lock` around it."""
    try:
        await tortoise_migrate(config=tortoise_config(database_url, label))
    finally:
        await Tortoise.close_connections()


@asynccontextmanager
async def migration_lock(database_url: str) -> AsyncIterator[None]:
    """One holder per database at a time, across processes; others wait here."""
    if database_url.startswith("sqlite://"):
        async with _file_lock(database_path(database_url)):
            yield
        return
    connection = expand_db_url(database_url)
    if connection["engine"] != "tortoise.backends.asyncpg":
        raise ValueError("Tenantry runs on SQLite or PostgreSQL (postgres:// URLs)")
    async with _advisory_lock(connection["credentials"]):
        yield


@asynccontextmanager
async def _advisory_lock(credentials: dict[str, Any]) -> AsyncIterator[None]:
    # A transaction-level lock, in a transaction left open on a connection of its own until
    # the block ends: Tortoise's pool would hand the migration other connections. Never a
    # session-level lock: behind a transaction pooler (PgBouncer) the session is the pooler's,
    # and a server connection still holding the lock would go back to its pool once the
    # statement ended; an open transaction keeps its server connection, and the lock goes
    # with the transaction, whoever's connection it ran on.
    client = AsyncpgDBClient(
        connection_name="migration_lock", **{**credentials, "minsize": 1, "maxsize": 1}
    )
    await client.create_connection(with_db=True)
    try:
        async with client.acquire_connection() as session, session.transaction():
            if not await session.fetchval(
                "SELECT pg_try_advisory_xact_lock($1)", ADVISORY_LOCK_KEY
            ):
                log.warning(WAITING)
                await session.execute("SELECT pg_advisory_xact_lock($1)", ADVISORY_LOCK_KEY)
            yield
    finally:
        # Closing the connection ends the transaction too, should its end have failed.
        await client.close()


@asynccontextmanager
async def _file_lock(database_file: str | None) -> AsyncIterator[None]:
    if database_file is None:  # in memory: every process has a database of its own
        yield
        return
    path = Path(f"{database_file}.migrate.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning(WAITING)
            await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


async def pending_migrations(database_url: str, label: str = "default") -> list[str]:
    """The migrations `migrate` would apply, in order; reads only, so it takes no lock."""
    from tortoise.connection import get_connection
    from tortoise.migrations.executor import MigrationExecutor

    config = tortoise_config(_readable_url(database_url), label)
    try:
        await Tortoise.init(config=config)
        # Asked first: reading the migrations table takes a database that does not answer
        # for one where nothing was applied yet.
        await get_connection(label).execute_query("SELECT 1")
        executor = MigrationExecutor(get_connection(label), config["apps"])
        steps = await executor.plan()
    finally:
        await Tortoise.close_connections()
    return [step.migration.name for step in steps if not step.backward]


def _readable_url(database_url: str) -> str:
    path = database_path(database_url)
    if path is not None and not Path(path).exists():
        # Connecting would create the file: an empty database in memory has nothing applied too.
        return "sqlite://:memory:"
    return database_url
