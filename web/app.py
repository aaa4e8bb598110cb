"""The Starlette application: routes, lifespan (ORM, background workers)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route
from tortoise.contrib.starlette import RegisterTortoise

from domain.auth.passwords import reset_hashing
from domain.config import Config, configure
from domain.ratelimit import reset_limiter
from models.db import tortoise_config
from schema import schema
from web.graphql import GraphQLEndpoint
from web.health import healthz

# Long-running tasks started with the app (the mail outbox worker, clean-ups).
BackgroundWorker = Callable[[], Awaitable[None]]
BACKGROUND_WORKERS: list[BackgroundWorker] = []


def create_app(config: Config | None = None, *, run_workers: bool = True) -> Starlette:
    config = configure(config or Config())
    reset_hashing()
    reset_limiter()
    graphql = GraphQLEndpoint(
        schema,
        graphql_ide="graphiql" if config.graphiql else None,
        allow_queries_via_get=True,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        configure(config)
        async with RegisterTortoise(app, config=tortoise_config(config.database_url)):
            tasks = [asyncio.create_task(worker()) for worker in BACKGROUND_WORKERS] if run_workers else []
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    routes: list[Any] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
