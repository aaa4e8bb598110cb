"""Upgrading to verified sign-up domains keeps the domains that were open working."""

import json
import subprocess
import sys

# Apart from the test process (Tortoise's registry is global): migrate a fresh SQLite file to
# the migration before verified domains, list domains as before, then migrate to the latest.
UPGRADE = """
import asyncio, importlib, json, pkgutil, sqlite3, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
import models.migrations
from models.db import tortoise_config

path = sys.argv[1]
name = next(m.name for m in pkgutil.iter_modules(models.migrations.__path__)
            if m.name.endswith("_verified_domains"))
before = importlib.import_module("models.migrations." + name).Migration.dependencies[0][1]

async def to(target=None):
    await migrate(config=tortoise_config("sqlite://" + path),
                  target="models." + target if target else None)
    await Tortoise.close_connections()

asyncio.run(to(before))
db = sqlite3.connect(path)
for tenant, key in [("t-a", "acme"), ("t-b", "globex")]:
    db.execute("INSERT INTO tenant (id, name, name_key, created_at, allowed_auth_methods, "
               "require_mfa) VALUES (?, ?, ?, '2026-01-01 00:00:00', 'password', 0)",
               (tenant, key, key))
for row, tenant, at in [("d-a", "t-a", "2026-01-02"), ("d-b", "t-b", "2026-01-03")]:
    db.execute("INSERT INTO signup_domain (id, domain, default_role, auth_method, created_at, "
               "tenant_id) VALUES (?, 'example.com', 'member', 'password', ?, ?)",
               (row, at + " 00:00:00", tenant))
db.commit()
db.close()
asyncio.run(to())
db = sqlite3.connect(path)
print(json.dumps(db.execute("SELECT id, status, verified_domain, verified_at IS NOT NULL "
                            "FROM signup_domain ORDER BY id").fetchall()))
"""


def test_domains_open_before_the_upgrade_stay_verified_and_the_oldest_holds_the_claim(
    tmp_path,
):
    result = subprocess.run(
        [sys.executable, "-c", UPGRADE, str(tmp_path / "upgrade.db")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(result.stdout.strip().splitlines()[-1])
    assert rows == [
        ["d-a", "verified", "example.com", 1],
        ["d-b", "verified", None, 1],
    ]
