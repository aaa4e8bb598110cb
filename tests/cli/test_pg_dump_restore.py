"""The PostgreSQL backup procedure of docs/operations.md (Backups, PostgreSQL), run step by
step with the real `pg_dump`, `dropdb`, `createdb` and `pg_restore`: what is restored equals
what was dumped, and the restored database is current for `tenantry migrate --check`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough secret"
TABLES = ["tenant", "user", "audit_event", "tortoise_migrations"]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(shutil.which("pg_restore") is None, reason="pg_dump/pg_restore missing"),
]


def tenantry(args: list[str], cwd: Path, url: str, stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TENANTRY_DATABASE_URL": url,
             "TENANTRY_SECRET_KEY": "test-secret-key-not-for-production"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.fixture
async def database() -> AsyncIterator[tuple[str, str]]:
    """(URL of a new database, its name); dropped afterwards."""
    admin_url = os.environ["TENANTRY_TEST_POSTGRES_URL"]
    name = f"tenantry_dump_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}", name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def contents(url: str) -> dict[str, list[tuple[object, ...]]]:
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        tables = {}
        for table in TABLES:
            rows = await connection.fetch(f'SELECT * FROM "{table}"')
            tables[table] = sorted((tuple(row) for row in rows), key=repr)
        return tables
    finally:
        await connection.close()


async def test_the_documented_pg_dump_and_pg_restore_procedure_round_trips(database, tmp_path):
    url, name = database
    admin_url = os.environ["TENANTRY_TEST_POSTGRES_URL"]
    tenantry(["migrate"], tmp_path, url)
    for tenant in ("acme", "globex"):
        tenantry(["create-superuser", "--tenant", tenant, "--username", f"root-{tenant}",
                  "--email", f"root@{tenant}.example", "--password-stdin"],
                 tmp_path, url, PASSWORD + "\n")  # fmt: skip
    before = await contents(url)
    dump = tmp_path / "tenantry.dump"

    run("pg_dump", "-Fc", "--no-owner", "-d", url, "-f", str(dump))
    run("dropdb", f"--maintenance-db={admin_url}", name)
    run("createdb", f"--maintenance-db={admin_url}", name)
    run("pg_restore", "--no-owner", "--single-transaction", "--exit-on-error", "-d", url,
        str(dump))  # fmt: skip

    assert await contents(url) == before
    assert len(before["user"]) == 2
    assert tenantry(["migrate", "--check"], tmp_path, url) == "no migrations pending\n"
