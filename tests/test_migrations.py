"""The models and the migrations agree: `make migrations` would write nothing."""

import subprocess
import sys

# Run apart from the test process: Tortoise's app registry is global, and this check would
# otherwise replace the connections the other tests use.
CHECK = """
import asyncio
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
from models.db import tortoise_config

async def main():
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    print(",".join(w.name for w in writers))

asyncio.run(main())
"""


def test_models_and_migrations_agree():
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "", "models changed: run `make migrations`"
