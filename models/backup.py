"""Backup and restore of a SQLite database, and the lock that tells a restore a server is up.

Both copy with SQLite's online backup API: a backup is one consistent snapshot even while a
server writes (it reads in one transaction), and a restore writes through SQLite's own locking
rather than replacing the file under open connections. Copying the file alone could miss what
the write-ahead log still holds.

A restore must not pull the database from under a running server, so each serving process
holds a shared flock on `<database file>.serve.lock` for its lifetime (`serving`), and a
restore takes it exclusively without waiting: it refuses while any server holds it. A server
starting during a restore waits for it. The kernel releases the lock when its holder dies.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from models.sqlite import database_path

log = logging.getLogger("tenantry.backup")

MIGRATIONS_TABLE = "tortoise_migrations"
PG_DUMP = (
    "tenantry {command} works on SQLite files; for PostgreSQL use pg_dump -Fc and pg_restore "
    "(docs/operations.md, Backups)"
)


class BackupRefused(Exception):
    """A backup or restore that cannot be done; its message is one line for the operator."""


def _serve_lock_path(database_file: str) -> Path:
    return Path(f"{database_file}.serve.lock")


def _open_lock(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


@asynccontextmanager
async def serving(database_url: str) -> AsyncIterator[None]:
    """Held by a server while it uses the database: a restore refuses meanwhile."""
    database_file = database_path(database_url)
    if database_file is None:
        yield
        return
    descriptor = await asyncio.to_thread(_open_lock, _serve_lock_path(database_file))
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("waiting for a restore of the database to finish")
            await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)  # releases the lock


@contextmanager
def holding_serve_lock(database_url: str) -> Iterator[None]:
    """`serving` for a process outside an event loop (the parent of `serve --workers`)."""
    database_file = database_path(database_url)
    if database_file is None:
        yield
        return
    descriptor = _open_lock(_serve_lock_path(database_file))
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("waiting for a restore of the database to finish")
            fcntl.flock(descriptor, fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)  # releases the lock (once the workers, which share it, are gone)


def _sqlite_file(database_url: str, command: str) -> Path:
    if not database_url.startswith("sqlite://"):
        raise BackupRefused(PG_DUMP.format(command=command))
    database_file = database_path(database_url)
    if database_file is None:
        raise BackupRefused(f"tenantry {command} needs a database file, not one in memory")
    return Path(database_file)


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    # mode=ro/rw: a file that is not there is an error, never a new empty database.
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode={mode}", uri=True, timeout=5)


def backup(database_url: str, output: Path) -> None:
    """A consistent copy of the database at `output`, mode 0600, written whole or not at all."""
    source_path = _sqlite_file(database_url, "backup")
    if not source_path.exists():
        raise BackupRefused(f"there is no database at {source_path}")
    output = output.absolute()
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    # Created 0600 before any byte is written: the copy holds password hashes and keys.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        source = _connect(source_path, "rw")
        try:
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
                # One self-contained file: no write-ahead log beside it to forget.
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            source.close()
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _check_backup(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise BackupRefused(f"there is no file at {path}")
    connection = _connect(path, "ro")
    try:
        found = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
        ).fetchone()
    except sqlite3.DatabaseError:
        connection.close()
        raise BackupRefused(f"{path} is not an SQLite database") from None
    if found is None:
        connection.close()
        raise BackupRefused(f"{path} is not a Tenantry database (it has no migrations table)")
    return connection


@contextmanager
def _exclusive(path: Path, busy: str) -> Iterator[None]:
    descriptor = _open_lock(path)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupRefused(busy) from None
        yield
    finally:
        os.close(descriptor)


def restore(database_url: str, source_path: Path) -> None:
    """Replace the database with the backup at `source_path`; refused while a server runs."""
    target_path = _sqlite_file(database_url, "restore")
    source_path = source_path.absolute()
    source = _check_backup(source_path)
    if target_path.exists() and source_path.samefile(target_path):
        source.close()
        raise BackupRefused("the backup is the database itself")
    try:
        with (
            _exclusive(
                _serve_lock_path(str(target_path)),
                "a server is using the database: stop every tenantry serve, then restore",
            ),
            _exclusive(
                Path(f"{target_path}.migrate.lock"),
                "another process is migrating the database: wait for it, then restore",
            ),
        ):
            target_path.parent.mkdir(parents=True, exist_ok=True)
            if not target_path.exists():
                os.close(os.open(target_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            target = sqlite3.connect(target_path, timeout=5)
            try:
                source.backup(target)
                # Leaves nothing of the old database in a write-ahead log beside the file.
                target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                target.close()
    finally:
        source.close()
