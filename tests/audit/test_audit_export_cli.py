"""`tenantry audit-export`: operators export the audit log from the server's shell, as a
process run on the database the server uses."""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from domain.audit_log import EXPORT_COLUMNS
from tests.audit.trail import Trail, build_trail, event
from tests.factories import Cast

TENANTRY = str(Path(sys.executable).parent / "tenantry")


@pytest.fixture
async def trail(cast: Cast) -> Trail:
    return await build_trail(cast)


def audit_export(config, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TENANTRY_DATABASE_URL": config.database_url,
        "TENANTRY_SECRET_KEY": config.secret_key,
    }
    return subprocess.run(
        [TENANTRY, "audit-export", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


async def test_the_command_prints_every_tenants_events_as_json_lines(config, tmp_path, trail):
    result = audit_export(config, tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 6
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert rows[0]["action"] == "user.deactivated"


async def test_the_command_writes_one_tenants_filtered_events_as_csv_to_a_private_file(
    config, tmp_path, cast: Cast, trail
):
    output = tmp_path / "audit.csv"
    result = audit_export(
        config, tmp_path, "--tenant", cast.tenant_a.name, "--format", "csv",
        "--action", "user.created", "--action", "user.role_changed", "--output", str(output),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(output.open(newline="")))
    assert [row["action"] for row in rows] == ["user.role_changed", "user.created"]
    assert {row["tenantId"] for row in rows} == {str(cast.tenant_a.id)}
    assert stat.S_IMODE(output.stat().st_mode) == 0o600


async def test_the_command_prefixes_csv_cells_a_spreadsheet_would_run(config, tmp_path, cast):
    await event("user.updated", tenant=cast.tenant_a, user_agent="=cmd|' /C calc'!A0")
    result = audit_export(config, tmp_path, "--format", "csv")
    (row,) = list(csv.DictReader(result.stdout.splitlines()))
    assert row["userAgent"] == "'=cmd|' /C calc'!A0"


async def test_the_command_names_a_tenant_that_does_not_exist_and_fails(config, tmp_path, trail):
    result = audit_export(config, tmp_path, "--tenant", "no-such-tenant")
    assert result.returncode == 1
    assert "no-such-tenant" in result.stderr
    assert result.stdout == ""


async def test_the_command_refuses_a_time_without_its_zone(config, tmp_path, trail):
    result = audit_export(config, tmp_path, "--since", "2026-11-30T12:00:00")
    assert result.returncode == 1
    assert "since" in result.stderr
