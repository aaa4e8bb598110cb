"""SQLite, the embedded default: its pragmas, and WAL checkpoints kept off the request path.

Tortoise runs every statement of a process on one SQLite connection, behind one lock. With
SQLite's automatic checkpoints, the commit that crosses the threshold copies the write-ahead
log into the database and syncs it to disk while holding that lock: every other request then
waits, which made one `sendInvitation` in a hundred take 100-800 ms instead of 20 (issue 7).

So the server's connection checkpoints only as a safety net (`AUTOCHECKPOINT_PAGES`, about
40 MB of log), and `run_checkpointer` does the regular work from a connection of its own, in
a thread: a PASSIVE checkpoint never blocks readers or writers. Commits stay fully synced.

The log only starts again from its beginning when a write finds every frame of it copied, which
a steady stream of writes seldom allows: it grows until the safety net fires at a commit, which
then copies what the background has not copied yet. At one look a second that was up to 18 MB
(250 invitations a second write 72 KB of log each, whole pages of every index they touch): a
750 ms stall for every request, the p99 of `sendInvitation` and of `me` during a login storm.
While the log is long the background looks again after `BUSY_PAUSE_SECONDS` (`next_pause`).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from config import get_config

log = logging.getLogger("tenantry.sqlite")

AUTOCHECKPOINT_PAGES = 10_000
# A log this long (about 4 MB) means writes are streaming in: look again after the short pause.
BUSY_LOG_FRAMES = 1_000
BUSY_PAUSE_SECONDS = 0.05
PRAGMAS: dict[str, str | int] = {
    "journal_mode": "WAL",
    # FULL: a commit survives a power cut (NORMAL would give that up for speed).
    "synchronous": "FULL",
    "wal_autocheckpoint": AUTOCHECKPOINT_PAGES,
    # Another process (the CLI) may be writing: wait for it rather than fail at once.
    "busy_timeout": 5000,
    "foreign_keys": "ON",
}


@dataclass(frozen=True)
class Checkpoint:
    log_frames: int
    checkpointed_frames: int
    # Another checkpoint was running (the background one): this one copied nothing, and
    # SQLite answers -1 for both counts.
    busy: bool = False


def database_path(database_url: str) -> str | None:
    """The file behind a `sqlite://` URL; None for other databases and in-memory ones."""
    if not database_url.startswith("sqlite://"):
        return None
    path = database_url.removeprefix("sqlite://").split("?", 1)[0]
    return None if path in ("", ":memory:") else path


def checkpoint(path: str) -> Checkpoint:
    """Copy what the log holds into the database file, without waiting for anyone."""
    # mode=rw: a database that is gone is an error here, not a new empty file.
    connection = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=rw", uri=True, timeout=0)
    try:
        busy, log_frames, done = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        connection.close()
    return Checkpoint(log_frames=log_frames, checkpointed_frames=done, busy=bool(busy))


async def run_checkpointer() -> None:
    """The server's background worker for SQLite files (it returns at once for other
    databases)."""
    config = get_config()
    path = database_path(config.database_url)
    if path is None:
        return
    pause = config.sqlite_checkpoint_seconds
    while True:
        await asyncio.sleep(pause)
        try:
            done = await asyncio.to_thread(checkpoint, path)
        except sqlite3.Error:
            # The connection's own checkpoint still bounds the log; try again next time.
            log.exception("SQLite checkpoint failed")
            continue
        pause = next_pause(done, config.sqlite_checkpoint_seconds)


def next_pause(done: Checkpoint, idle_seconds: float) -> float:
    """How long the checkpointer waits after `done`: soon again while the log is long (writes
    are streaming in), so what is left to copy at any moment stays small."""
    return (
        min(BUSY_PAUSE_SECONDS, idle_seconds)
        if done.log_frames >= BUSY_LOG_FRAMES
        else idle_seconds
    )
