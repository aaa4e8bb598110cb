"""A database no other test touches, for `serve` processes to migrate and share."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.cli.test_commands import free_port
from tests.smtp_server import SmtpServer


@pytest.fixture
async def fresh_database(db_kind: str, tmp_path: Path) -> AsyncIterator[str]:
    if db_kind == "sqlite":
        yield f"sqlite://{tmp_path / 'tenantry.db'}"
        return
    admin_url = os.environ["TENANTRY_TEST_POSTGRES_URL"]
    name = f"tenantry_serve_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
def mail_server() -> Iterator[SmtpServer]:
    """A real SMTP server; `serve` is pointed at it by TENANTRY_SMTP_URL."""
    server = SmtpServer(free_port()).start()
    try:
        yield server
    finally:
        server.stop()
