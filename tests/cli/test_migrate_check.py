"""`tenantry migrate --check`, as a deploy pipeline runs it: it says whether migrations are
pending (exit 1, naming them) or not (exit 0), and never applies anything."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.postgres import environment_for, new_database

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = sorted(p.stem for p in (ROOT / "models" / "migrations").glob("[0-9]*.py"))


def tenantry(
    args: list[str], cwd: Path, database: str | dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`database`: a URL, or TENANTRY_DATABASE_* variables (tests/postgres.py)."""
    if isinstance(database, str):
        database = {"TENANTRY_DATABASE_URL": database}
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            **database,
            "TENANTRY_SECRET_KEY": "test-secret-key-not-for-production",
        },
    )  # fmt: skip


@pytest.fixture
async def empty_postgres() -> AsyncIterator[dict[str, str]]:
    async with new_database("tenantry_check") as name:
        yield environment_for(name)


def _assert_check_then_migrate_then_check(database_url: str | dict[str, str], cwd: Path) -> None:
    before = tenantry(["migrate", "--check"], cwd, database_url)
    assert before.returncode == 1, before.stderr
    assert before.stdout == f"{len(MIGRATIONS)} migration(s) pending: {', '.join(MIGRATIONS)}\n"

    assert tenantry(["migrate"], cwd, database_url).returncode == 0

    after = tenantry(["migrate", "--check"], cwd, database_url)
    assert after.returncode == 0, after.stderr
    assert after.stdout == "no migrations pending\n"


def test_migrate_check_on_sqlite_lists_every_migration_of_a_fresh_database_then_none(tmp_path):
    _assert_check_then_migrate_then_check(f"sqlite://{tmp_path / 'tenantry.db'}", tmp_path)


@pytest.mark.postgres
def test_migrate_check_on_postgresql_lists_every_migration_of_a_fresh_database_then_none(
    empty_postgres, tmp_path
):
    _assert_check_then_migrate_then_check(empty_postgres, tmp_path)


def test_migrate_check_applies_nothing_and_creates_no_database_file(tmp_path):
    path = tmp_path / "tenantry.db"
    tenantry(["migrate", "--check"], tmp_path, f"sqlite://{path}")
    assert not path.exists()


def test_migrate_check_names_only_the_migrations_still_pending(tmp_path):
    path = tmp_path / "tenantry.db"
    assert tenantry(["migrate"], tmp_path, f"sqlite://{path}").returncode == 0
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM tortoise_migrations WHERE name = ?", (MIGRATIONS[-1],))
    result = tenantry(["migrate", "--check"], tmp_path, f"sqlite://{path}")
    assert result.returncode == 1
    assert result.stdout == f"1 migration(s) pending: {MIGRATIONS[-1]}\n"
    with sqlite3.connect(path) as connection:
        applied = [n for (n,) in connection.execute("SELECT name FROM tortoise_migrations")]
    assert MIGRATIONS[-1] not in applied


def test_migrate_check_on_a_database_that_does_not_answer_exits_2_with_one_line(tmp_path):
    # Not "every migration pending": a deploy pipeline must tell a down database from an old one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = tenantry(["migrate", "--check"], tmp_path, f"postgres://u@127.0.0.1:{port}/tenantry")
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("the database does not answer: ")
