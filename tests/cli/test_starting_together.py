"""Several `tenantry serve` processes started at once on an empty database: exactly one
migrates and creates the first superuser, the others wait for it, and all of them serve. On a
new instance without TENANTRY_SECRET_KEY, they all take the one key the first one wrote."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.cli.test_commands import free_port
from tests.postgres import connect_directly, environment_for, new_database

# `python -m web.cli` with this checkout first on the path: the code under test runs, not
# whichever copy the `tenantry` script was installed from.
ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = sorted(p.stem for p in (ROOT / "models" / "migrations").glob("[0-9]*.py"))
PROCESSES = 2


def _serve(database: dict[str, str], cwd: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            **database,
            "TENANTRY_SECRET_KEY": "test-secret-key-not-for-production",
            "TENANTRY_LOG_JSON": "false",
        },
    )


async def _healthy(process: subprocess.Popen[str], port: int) -> bool:
    """True once /healthz answers 200; False when the process exited first."""
    async with httpx.AsyncClient(timeout=1) as client:
        for _ in range(300):
            if process.poll() is not None:
                return False
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    return False


def _stop(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


async def _start_together(
    database: dict[str, str], cwd: Path
) -> list[tuple[bool, int | None, str]]:
    """Start the processes at once, with `database` (TENANTRY_DATABASE_* variables) in their
    environment; once every one serves (or died), stop them all. (healthy, exit status,
    output) for each."""
    ports = [free_port() for _ in range(PROCESSES)]
    processes = [_serve(database, cwd, port) for port in ports]
    try:
        healthy = await asyncio.gather(*map(_healthy, processes, ports))
    finally:
        outputs = [_stop(process) for process in processes]
    return [
        (ok, process.returncode, output)
        for ok, process, output in zip(healthy, processes, outputs, strict=True)
    ]


def _assert_all_served_and_one_bootstrapped(results: list[tuple[bool, int | None, str]]) -> None:
    for healthy, status, output in results:
        assert healthy and status == 0 and "Traceback" not in output, output
    announced = sum("shown this once" in output for _, _, output in results)
    assert announced == 1, [output for _, _, output in results]


@pytest.fixture
async def empty_postgres() -> AsyncIterator[str]:
    """A new database's name (reached through PgBouncer in that pass: tests/postgres.py)."""
    async with new_database("tenantry_start") as name:
        yield name


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", range(10))
async def test_servers_started_together_on_empty_postgresql_migrate_once_and_all_serve(
    empty_postgres, tmp_path, attempt
):
    results = await _start_together(environment_for(empty_postgres), tmp_path)
    _assert_all_served_and_one_bootstrapped(results)
    connection = await connect_directly(empty_postgres)
    try:
        applied = await connection.fetch("SELECT name FROM tortoise_migrations ORDER BY name")
        superusers = await connection.fetchval('SELECT count(*) FROM "user" WHERE superuser')
    finally:
        await connection.close()
    assert [row["name"] for row in applied] == MIGRATIONS
    assert superusers == 1


@pytest.mark.parametrize("attempt", range(3))
async def test_servers_started_together_on_a_new_sqlite_file_migrate_once_and_all_serve(
    tmp_path, attempt
):
    path = tmp_path / "data" / "tenantry.db"
    results = await _start_together({"TENANTRY_DATABASE_URL": f"sqlite://{path}"}, tmp_path)
    _assert_all_served_and_one_bootstrapped(results)
    with sqlite3.connect(path) as connection:
        applied = connection.execute("SELECT name FROM tortoise_migrations ORDER BY name")
        assert [name for (name,) in applied] == MIGRATIONS
        [(superusers,)] = connection.execute('SELECT count(*) FROM "user" WHERE superuser')
    assert superusers == 1


SECRET_KEY_OF_A_PROCESS = (
    "import sys; from config import Config; sys.stdout.write(Config(secret_key='').secret.decode())"
)


@pytest.mark.parametrize("attempt", range(3))
def test_processes_started_together_on_a_new_instance_agree_on_one_secret_key(tmp_path, attempt):
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SECRET_KEY_OF_A_PROCESS],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for _ in range(4)
    ]
    keys = {process.communicate(timeout=60)[0] for process in processes}
    assert keys == {(tmp_path / "var" / "secret.key").read_text()}
    assert len(keys.pop()) == 64
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["secret.key"]


def test_an_empty_secret_key_file_is_refused_rather_than_used_as_the_key(tmp_path):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret.key").write_bytes(b"")
    environment = {k: v for k, v in os.environ.items() if k != "TENANTRY_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "web.cli", "migrate"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**environment, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "var/secret.key is empty: restore the key, or remove the file for a new one"
    )
