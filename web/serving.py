"""One serving process: the app, its lifespan, one uvicorn server per listener, on uvloop, and
the graceful shutdown on SIGTERM (or SIGINT).

On the first signal, in this order:
1. the mail worker takes no new message (it finishes and records the one it sends);
2. every subscription connection is closed with 1001, going away (web/subscriptions.py);
3. the servers stop accepting connections, close idle keep-alive ones, and let the requests in
   flight finish, for up to `shutdown_grace_seconds`; then they cut what is left;
4. the lifespan ends: the mail worker is waited for until the same deadline, the claims it
   still holds are handed back (domain/outbox.py), the database connections close.
A second signal cuts the drain short. The process then exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable
from typing import Any

import uvicorn

from config import Config
from web.app import begin_shutdown, create_app
from web.listeners import BindTarget
from web.subscriptions import close_all

log = logging.getLogger("tenantry.serve")


def serving_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed (uvicorn[standard] brings it): 10-16 % more requests a second than
    asyncio's own loop. `asyncio.run()` would ignore it; None means asyncio's default."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run(
    config: Config,
    targets: list[BindTarget],
    sockets: list[socket.socket] | None = None,
    signals: tuple[signal.Signals, ...] = STOP_SIGNALS,
) -> None:
    """Serve until one of `signals` has drained this process. `sockets`, when given, are the
    bound listeners of `targets`, in order (the workers' parent bound them)."""
    with asyncio.Runner(loop_factory=serving_loop_factory()) as runner:
        runner.run(serve_all(config, targets, sockets, signals))


class _Server(uvicorn.Server):
    # Signals are handled once for all servers below, not by each server.
    def capture_signals(self):  # type: ignore[no-untyped-def,override]
        return contextlib.nullcontext()


def uvicorn_config(app: Any, config: Config, target: BindTarget) -> uvicorn.Config:
    # No access log: it prints query strings, and a GET query may carry a token. Requests
    # are logged by web.logging without them; uvicorn's own lines go through our handler.
    return uvicorn.Config(
        app,
        log_level="info",
        proxy_headers=True,
        lifespan="off",
        access_log=False,
        log_config=None,
        # A subscribe message is held to the body limit of a POST.
        ws_max_size=config.max_body_bytes,
        timeout_graceful_shutdown=config.shutdown_grace_seconds,
        **target.uvicorn_kwargs(),
    )


async def serve_all(
    config: Config,
    targets: list[BindTarget],
    sockets: list[socket.socket] | None = None,
    signals: tuple[signal.Signals, ...] = STOP_SIGNALS,
) -> None:
    """One app, one lifespan, one uvicorn server per bind target, all in this event loop."""
    app = create_app(config)
    loop = asyncio.get_running_loop()
    log.info("event loop: %s", type(loop).__module__.partition(".")[0])
    servers = [_Server(uvicorn_config(app, config, target)) for target in targets]
    draining: list[asyncio.Task[None]] = []

    def force_stop() -> None:
        for server in servers:
            server.should_exit = server.force_exit = True

    async def drain() -> None:
        begin_shutdown(app, config.shutdown_grace_seconds)
        # Before the servers' own shutdown, which would close them with 1012.
        try:
            closed = await asyncio.wait_for(close_all(), timeout=5)
        except TimeoutError:
            closed = 0
        if closed:
            log.info("closed %d subscription connection(s): going away", closed)
        for server in servers:
            server.should_exit = True

    def on_signal() -> None:
        if draining:
            log.warning("second signal: not waiting for the requests in flight")
            force_stop()
            return
        log.info("shutting down: draining for up to %g s", config.shutdown_grace_seconds)
        draining.append(asyncio.create_task(drain()))

    for sig in signals:
        loop.add_signal_handler(sig, on_signal)
    # A worker of `serve --workers N` starts with them blocked (web/workers.py): one sent while
    # it started waited until now, and drains it like any other.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
    async with app.router.lifespan_context(app):
        tasks = [
            asyncio.create_task(server.serve(sockets=[sockets[index]] if sockets else None))
            for index, server in enumerate(servers)
        ]
        try:
            # One server failing to bind stops the others: a partial start would mislead.
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for server in servers:
                server.should_exit = True
            await asyncio.gather(*tasks, *draining, return_exceptions=True)
            for task in done:
                task.result()
        finally:
            for server in servers:
                server.should_exit = True
