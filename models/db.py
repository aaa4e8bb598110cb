"""The Tortoise configuration and the migration entry points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as tortoise_migrate

from models.sqlite import PRAGMAS, database_path

MODEL_MODULES = ["models"]
MIGRATIONS_MODULE = "models.migrations"


def tortoise_config(database_url: str, label: str = "default") -> dict[str, Any]:
    connection: str | dict[str, Any] = database_url
    if database_url.startswith("sqlite://"):
        path = database_path(database_url)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = expand_db_url(database_url)
        # Ours first; pragmas given in the URL's query string still win.
        connection["credentials"] = {**PRAGMAS, **connection["credentials"]}
    return {
        "connections": {label: connection},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": label,
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(database_url: str, label: str = "default") -> None:
    """Apply pending migrations, then leave Tortoise closed."""
    try:
        await tortoise_migrate(config=tortoise_config(database_url, label))
    finally:
        await Tortoise.close_connections()
