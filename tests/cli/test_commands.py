"""The `tenantry` command line, run as a user runs it: a process in a fresh directory."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

TENANTRY = str(Path(sys.executable).parent / "tenantry")


def run(args: list[str], cwd: Path, stdin: str = "", env: dict[str, str] | None = None):
    return subprocess.run(
        [TENANTRY, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


CREATE_ROOT = [
    "create-superuser", "--tenant", "acme", "--username", "root", "--email", "root@acme.io",
    "--password-stdin",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_create_superuser_prints_the_new_users_id(tmp_path):
    result = run(
        CREATE_ROOT,
        tmp_path,
        "a long enough secret\n",
    )
    assert result.returncode == 0, result.stderr
    uuid.UUID(result.stdout.strip())
    assert (tmp_path / "var" / "tenantry.db").exists()


def test_create_superuser_fails_with_one_line_when_the_username_exists(tmp_path):
    args = CREATE_ROOT
    assert run(args, tmp_path, "a long enough secret\n").returncode == 0
    again = run(args, tmp_path, "a long enough secret\n")
    assert again.returncode == 1
    assert len(again.stderr.strip().splitlines()) == 1
    assert "taken" in again.stderr


def test_create_superuser_refuses_a_weak_password(tmp_path):
    result = run(
        CREATE_ROOT,
        tmp_path,
        "short\n",
    )
    assert result.returncode == 1
    assert "at least 8" in result.stderr


def test_create_superuser_refuses_a_password_that_is_not_text_with_one_line(tmp_path):
    result = subprocess.run(
        [TENANTRY, *CREATE_ROOT],
        cwd=tmp_path,
        input=b"\xff\xfe a long enough secret\n",
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert len(result.stderr.decode().strip().splitlines()) == 1
    assert "not text" in result.stderr.decode()


def test_migrate_creates_the_default_sqlite_database(tmp_path):
    result = run(["migrate"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "tenantry.db").exists()


def test_the_secret_key_is_generated_once_with_mode_0600(tmp_path):
    run(["migrate"], tmp_path)
    args = [
        "create-superuser",
        "--tenant",
        "t",
        "--username",
        "u",
        "--email",
        "u@t.io",
        "--password-stdin",
    ]
    run(args, tmp_path, "a long enough secret\n")
    key = tmp_path / "var" / "secret.key"
    assert key.exists()
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def _serve(tmp_path: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [TENANTRY, "serve", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "TENANTRY_LOG_JSON": "false"},
    )


def _wait_healthy(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail("the server did not become healthy")


def _stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def test_serve_on_an_empty_database_prints_the_admin_password_once_and_it_logs_in(tmp_path):
    port = free_port()
    server = _serve(tmp_path, port)
    try:
        _wait_healthy(port)
        login = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={
                "query": 'mutation($p: String!) { login(input: {tenant: "default", '
                'username: "admin", password: $p}) { __typename } }',
                "variables": {"p": "placeholder"},
            },
        )
        assert login.status_code == 200
    finally:
        output = _stop(server)
    match = re.search(r"password, shown this once: (\S+)", output)
    assert match, output
    password = match.group(1)

    port = free_port()
    server = _serve(tmp_path, port)
    try:
        _wait_healthy(port)
        login = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={
                "query": 'mutation($p: String!) { login(input: {tenant: "default", '
                'username: "admin", password: $p}) { __typename '
                "... on LoginSuccess { user { superuser role } } } }",
                "variables": {"p": password},
            },
        )
        assert login.json()["data"]["login"] == {
            "__typename": "LoginSuccess",
            "user": {"superuser": True, "role": "ADMIN"},
        }
        page = httpx.get(f"http://127.0.0.1:{port}/graphql", headers={"Accept": "text/html"})
        assert "graphiql" in page.text.lower()
    finally:
        output = _stop(server)
    assert "shown this once" not in output


def test_a_tenantry_toml_sets_the_same_keys_as_the_environment(tmp_path):
    (tmp_path / "tenantry.toml").write_text('database_url = "sqlite://./data/elsewhere.db"\n')
    environment = {k: v for k, v in os.environ.items() if k != "TENANTRY_DATABASE_URL"}
    result = subprocess.run(
        [TENANTRY, "migrate"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env=environment,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "elsewhere.db").exists()
    assert not (tmp_path / "var" / "tenantry.db").exists()
