"""For Tortoise's own CLI (`make migrations`): the models on an in-memory database."""

from models.db import tortoise_config

TORTOISE_ORM = tortoise_config("sqlite://:memory:")
