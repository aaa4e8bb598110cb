"""The models and the migrations agree: `make migrations` would write nothing."""

from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from models.db import tortoise_config


async def test_models_and_migrations_agree():
    config = tortoise_config("sqlite://:memory:", label="migrations_check")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert [w.name for w in writers] == [], "models changed: run `make migrations`"
