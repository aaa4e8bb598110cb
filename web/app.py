"""The Starlette application: routes, lifespan (ORM, background workers)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from tortoise.contrib.starlette import RegisterTortoise

from config import Config, configure
from domain import audit_retention, events, outbox, signup, webhook_delivery
from domain.auth.passwords import reset_hashing
from domain.ratelimit import reset_limiter
from models.backup import serving
from models.db import tortoise_config
from models.sqlite import run_checkpointer
from schema import schema
from web import audit_export, graphiql, graphiql_sign_in, tracing
from web.body_limit import BodyLimitMiddleware
from web.cors import cors_middleware
from web.graphql import GraphQLEndpoint
from web.health import healthz
from web.links import ROUTES as link_routes
from web.logging import RequestContextMiddleware, configure_logging
from web.metrics import metrics
from web.outage import DatabaseOutageMiddleware, quiet_driver_retries
from web.persisted_queries import persisted_queries_for
from web.request_target import RequestTargetMiddleware
from web.saml import ROUTES as saml_routes
from web.scim import ROUTES as scim_routes
from web.tuning import tune_garbage_collector

# Long-running tasks started with the app (the mail outbox worker, clean-ups).
BackgroundWorker = Callable[[], Awaitable[None]]
BACKGROUND_WORKERS: list[BackgroundWorker] = []
BACKGROUND_WORKERS.append(outbox.run_worker)  # account mail (invitations, verification)
BACKGROUND_WORKERS.append(run_checkpointer)  # SQLite only: see models/sqlite.py
BACKGROUND_WORKERS.append(signup.run_expiry_worker)  # sign-ups whose verification lapsed
BACKGROUND_WORKERS.append(audit_retention.run_retention_worker)  # TENANTRY_AUDIT_RETENTION_DAYS
BACKGROUND_WORKERS.append(webhook_delivery.run_worker)  # signed webhooks (domain/webhook_queue.py)


def create_app(config: Config | None = None, *, run_workers: bool = True) -> Starlette:
    config = configure(config or Config())
    reset_hashing()
    reset_limiter()
    configure_logging(json=config.log_json)
    if tracing.configured():
        tracing.start()  # OTLP export; nothing of OpenTelemetry is loaded otherwise
    quiet_driver_retries()
    graphql = GraphQLEndpoint(
        schema,
        persisted=persisted_queries_for(config),
        graphql_ide="graphiql" if config.graphiql else None,
        allow_queries_via_get=True,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        max_subscriptions_per_connection=config.max_subscriptions_per_connection,
        connection_init_wait_timeout=timedelta(seconds=10),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        configure(config)
        async with (
            serving(config.database_url),  # a restore refuses while this is held
            RegisterTortoise(app, config=tortoise_config(config.database_url)),
            events.listening(),  # subscriptions: changes from every process (domain/events.py)
        ):
            tasks = (
                {worker: asyncio.create_task(worker()) for worker in BACKGROUND_WORKERS}
                if run_workers
                else {}
            )
            tune_garbage_collector()  # after start-up: see web/tuning.py
            try:
                yield
            finally:
                await _stop_workers(app, config, tasks)

    routes: list[Any] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        *saml_routes,
        *scim_routes,
        *link_routes,
        *audit_export.ROUTES,
    ]
    if config.graphiql:
        routes += [Mount(graphiql.ASSETS_PATH, app=graphiql.assets()), *graphiql_sign_in.ROUTES]
    # Outermost first: every answer, a 413, a 503 and a CORS preflight included, gets its
    # request ID, log line and metrics; CORS headers go on every answer to a listed origin.
    middleware = [
        *tracing.middleware(),  # the request's span, when tracing is on: see web/tracing.py
        Middleware(RequestContextMiddleware),
        Middleware(RequestTargetMiddleware),
        *cors_middleware(config),
        Middleware(DatabaseOutageMiddleware),
        Middleware(BodyLimitMiddleware),
    ]
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)


def begin_shutdown(app: Starlette, grace_seconds: float) -> None:
    """SIGTERM: the mail worker finishes the message it sends and takes no other, while the
    servers drain; what the lifespan's end waits for is bounded by the same deadline."""
    app.state.shutdown_deadline = asyncio.get_running_loop().time() + grace_seconds
    outbox.stop()
    webhook_delivery.stop()


async def _stop_workers(
    app: Starlette, config: Config, tasks: dict[BackgroundWorker, asyncio.Task[None]]
) -> None:
    outbox.stop()
    webhook_delivery.stop()
    loop = asyncio.get_running_loop()
    deadline = getattr(app.state, "shutdown_deadline", None)
    if deadline is None:
        deadline = loop.time() + config.shutdown_grace_seconds
    # The mail and webhook workers return by themselves once what they send is recorded; the
    # others are sweeps whose every step is one statement, safe to cut anywhere.
    senders = [tasks[w] for w in (outbox.run_worker, webhook_delivery.run_worker) if w in tasks]
    if senders:
        await asyncio.wait(senders, timeout=max(deadline - loop.time(), 0))
    pending = set(tasks.values())
    for _ in range(3):
        # Cancelled again when it does not end: aiosmtplib meets a cancelled send by saying
        # QUIT and waiting out the server's answer, which a second cancel cuts short.
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=0.5) if pending else (set(), set())
        if not pending:
            break
    try:
        await outbox.hand_back_claims()
        await webhook_delivery.hand_back_claims()
    except Exception:  # the database is gone: the claims lapse with their lease instead
        logging.getLogger("tenantry.outbox").warning("could not hand back mail/webhook claims")
