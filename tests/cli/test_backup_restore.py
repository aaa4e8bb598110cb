"""`tenantry backup` and `tenantry restore` on SQLite, run as an operator runs them: next to a
real `tenantry serve` that keeps writing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.cli.test_commands import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough secret"


def tenantry(
    args: list[str], cwd: Path, database_url: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120,
        env=_environment(database_url),
    )  # fmt: skip


def _environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TENANTRY_DATABASE_URL": database_url,
        "TENANTRY_SECRET_KEY": "test-secret-key-not-for-production",
        "TENANTRY_LOG_JSON": "false",
    }


@dataclass
class Instance:
    directory: Path
    database: Path
    url: str
    api: httpx.Client
    server: subprocess.Popen[str]

    def create_tenant(self, name: str) -> None:
        answer = self.api.post(
            "/graphql",
            json={"query": "mutation($n: String!) { createTenant(name: $n) { __typename } }",
                  "variables": {"n": name}},
        )  # fmt: skip
        assert answer.json()["data"]["createTenant"]["__typename"] == "TenantPayload"

    def stop(self) -> None:
        if self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
        try:
            self.server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.communicate()


def tenants(database: Path) -> set[str]:
    with sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True) as connection:
        return {name for (name,) in connection.execute("SELECT name FROM tenant")}


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Instance]:
    """A served instance with a superuser signed in at `api`."""
    database = tmp_path / "var" / "tenantry.db"
    url = f"sqlite://{database}"
    create = ["create-superuser", "--tenant", "acme", "--username", "root",
              "--email", "root@acme.io", "--password-stdin"]  # fmt: skip
    assert tenantry(create, tmp_path, url, PASSWORD + "\n").returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=_environment(url),
    )  # fmt: skip
    api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    running = Instance(tmp_path, database, url, api, server)
    try:
        _wait_healthy(running)
        login = api.post(
            "/graphql",
            json={"query": "mutation($p: String!) { login(input: {tenant: \"acme\", "
                  "username: \"root\", password: $p}) { __typename } }",
                  "variables": {"p": PASSWORD}},
        )  # fmt: skip
        assert login.json()["data"]["login"]["__typename"] == "LoginSuccess"
        yield running
    finally:
        api.close()
        running.stop()


def _wait_healthy(running: Instance) -> None:
    for _ in range(300):
        if running.server.poll() is not None:
            pytest.fail("the server exited")
        try:
            if running.api.get("/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        threading.Event().wait(0.1)
    pytest.fail("the server did not become healthy")


def test_a_backup_taken_while_the_server_writes_is_a_consistent_database_with_the_data(
    instance,
):
    instance.create_tenant("before-backup")
    created: list[str] = []
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            name = f"during-{len(created)}"
            instance.create_tenant(name)
            created.append(name)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(created) < 3:
            threading.Event().wait(0.02)
        output = instance.directory / "backup.db"
        result = tenantry(["backup", "--output", str(output)], instance.directory, instance.url)
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(output) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    saved = tenants(output)
    assert {"acme", "before-backup", *created[:3]} <= saved
    # A snapshot: the writes it holds are the first ones, none skipped.
    during = sorted((n for n in saved if n.startswith("during-")), key=lambda n: int(n[7:]))
    assert during == created[: len(during)]
    assert oct(output.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in instance.directory.iterdir() if "backup" in p.name] == ["backup.db"]


def test_restore_is_refused_while_a_server_uses_the_database_and_changes_nothing(instance):
    output = instance.directory / "backup.db"
    backed_up = tenantry(["backup", "--output", str(output)], instance.directory, instance.url)
    assert backed_up.returncode == 0, backed_up.stderr
    instance.create_tenant("after-backup")
    result = tenantry(["restore", str(output)], instance.directory, instance.url)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "a server is using the database: stop every tenantry serve, then restore"
    ]
    assert "after-backup" in tenants(instance.database)


def test_restore_after_the_server_stopped_brings_the_backed_up_data_back(instance):
    instance.create_tenant("in-backup")
    output = instance.directory / "backup.db"
    result = tenantry(["backup", "--output", str(output)], instance.directory, instance.url)
    assert result.returncode == 0, result.stderr
    instance.create_tenant("after-backup")
    instance.stop()

    restored = tenantry(["restore", str(output)], instance.directory, instance.url)
    assert restored.returncode == 0, restored.stderr
    assert tenants(instance.database) == {"acme", "in-backup"}
    check = tenantry(["migrate", "--check"], instance.directory, instance.url)
    assert check.returncode == 0, check.stdout


def test_backup_of_postgresql_is_refused_with_one_line_pointing_to_pg_dump(tmp_path):
    result = tenantry(
        ["backup", "--output", str(tmp_path / "b.db")],
        tmp_path,
        "postgres://postgres@127.0.0.1:5432/postgres",
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "pg_dump -Fc" in result.stderr
    assert not (tmp_path / "b.db").exists()


def test_restore_of_postgresql_is_refused_with_one_line_pointing_to_pg_restore(tmp_path):
    (tmp_path / "b.db").write_bytes(b"")
    url = "postgres://postgres@127.0.0.1:5432/postgres"
    result = tenantry(["restore", str(tmp_path / "b.db")], tmp_path, url)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "pg_restore" in result.stderr


@pytest.mark.parametrize(
    ("make_file", "says"),
    [
        (lambda path: path.write_text("not a database at all " * 100), "not an SQLite database"),
        (
            lambda path: (
                sqlite3.connect(path).execute("CREATE TABLE other (x)").connection.commit()
            ),
            "not a Tenantry database",
        ),
        (lambda path: None, "there is no file"),
    ],
    ids=["not-sqlite", "another-sqlite-database", "missing"],
)
def test_restore_refuses_a_file_that_is_not_a_tenantry_backup_and_changes_nothing(
    tmp_path, make_file, says
):
    database = tmp_path / "var" / "tenantry.db"
    url = f"sqlite://{database}"
    assert tenantry(["migrate"], tmp_path, url).returncode == 0
    before = database.read_bytes()
    candidate = tmp_path / "candidate.db"
    make_file(candidate)
    result = tenantry(["restore", str(candidate)], tmp_path, url)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert says in result.stderr
    assert database.read_bytes() == before
