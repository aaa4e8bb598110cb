"""SQLite copies its write-ahead log into the database from a background thread, so no
request's commit pays for it (issue 7: `sendInvitation` p99 on SQLite)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from tortoise import connections

from config import Config
from models.sqlite import (
    AUTOCHECKPOINT_PAGES,
    BUSY_LOG_FRAMES,
    BUSY_PAUSE_SECONDS,
    Checkpoint,
    checkpoint,
    database_path,
    next_pause,
)
from tests.factories import Factory
from tests.sqlite_files import copy_elsewhere


async def pragma(name: str) -> object:
    _count, rows = await connections.get("default").execute_query(f"PRAGMA {name}")
    return next(iter(dict(rows[0]).values()))


def tenant_names_in_main_file(database: Path, scratch: Path) -> set[str]:
    """What the database file holds without its log: what checkpoints have copied."""
    copy = scratch / "main-file-only.db"
    copy_elsewhere(database, copy)
    connection = sqlite3.connect(copy)
    try:
        return {name for (name,) in connection.execute("SELECT name FROM tenant")}
    finally:
        connection.close()


def test_database_path_is_the_file_of_a_sqlite_url() -> None:
    assert database_path("sqlite:///var/lib/tenantry.db") == "/var/lib/tenantry.db"
    assert database_path("sqlite://./var/tenantry.db?synchronous=FULL") == "./var/tenantry.db"
    assert database_path("sqlite://:memory:") is None
    assert database_path("postgres://postgres@127.0.0.1/tenantry") is None


async def test_the_server_connection_leaves_checkpoints_to_the_background(
    app: object, sqlite_file: Path
) -> None:
    assert await pragma("journal_mode") == "wal"
    assert await pragma("wal_autocheckpoint") == AUTOCHECKPOINT_PAGES
    # Commits stay fully synced: the speed comes from moving checkpoints, not from durability.
    assert await pragma("synchronous") == 2  # FULL
    assert await pragma("busy_timeout") == 5000


async def test_a_checkpoint_copies_the_log_into_the_database_file(
    app: object, sqlite_file: Path, make: Factory, tmp_path: Path
) -> None:
    await make.tenant("copied-by-hand")
    # The background checkpointer may hold the checkpoint at this moment, and a request's
    # read-only connection may still read an older snapshot (a passive checkpoint then stops
    # at that snapshot's end): try again then.
    for _ in range(50):
        done = await asyncio.to_thread(checkpoint, str(sqlite_file))
        if not done.busy and done.checkpointed_frames == done.log_frames:
            break
        await asyncio.sleep(0.05)
    assert not done.busy
    assert done.checkpointed_frames == done.log_frames
    assert "copied-by-hand" in tenant_names_in_main_file(sqlite_file, tmp_path)


async def test_the_server_checkpoints_in_the_background(
    app: object, sqlite_file: Path, make: Factory, tmp_path: Path, config: Config
) -> None:
    await make.tenant("copied-in-background")
    for _ in range(50):
        if "copied-in-background" in tenant_names_in_main_file(sqlite_file, tmp_path):
            return
        await asyncio.sleep(config.sqlite_checkpoint_seconds)
    pytest.fail("no background checkpoint copied the new tenant into the database file")


def test_after_a_checkpoint_of_a_long_log_the_next_comes_soon() -> None:
    long_log = Checkpoint(log_frames=BUSY_LOG_FRAMES, checkpointed_frames=BUSY_LOG_FRAMES)

    assert next_pause(long_log, idle_seconds=1.0) == BUSY_PAUSE_SECONDS


def test_after_a_checkpoint_of_a_short_log_the_next_waits_the_configured_time() -> None:
    short_log = Checkpoint(log_frames=BUSY_LOG_FRAMES - 1, checkpointed_frames=0)

    assert next_pause(short_log, idle_seconds=1.0) == 1.0


def test_a_configured_time_shorter_than_the_busy_pause_is_kept() -> None:
    long_log = Checkpoint(log_frames=AUTOCHECKPOINT_PAGES, checkpointed_frames=0)

    assert next_pause(long_log, idle_seconds=0.01) == 0.01
