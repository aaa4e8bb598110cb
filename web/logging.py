"""Structured logs (structlog, JSON by default) and the request ID that ties them together.

Never logged: variables, query text, headers, cookies, bodies. A processor also drops any
key that names a secret, in case a caller passes one by mistake.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import secrets
import sys
import time
from collections.abc import Callable, MutableMapping
from typing import Any

import orjson
import structlog
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.request_context import RequestContext, current_request
from web import metrics

REQUEST_ID_HEADER = b"x-request-id"
# An incoming ID is kept only when it is short and plain (it ends up in every log line).
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_SECRET_KEY = re.compile(
    r"pass(word)?|secret|token|authorization|cookie|variables|private|api_?key", re.I
)

log = structlog.get_logger("tenantry.http")


@functools.lru_cache(maxsize=1024)
def _names_a_secret(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def _drop_secrets(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in [k for k in event if _names_a_secret(k)]:
        event[key] = "[redacted]"
    return event


def _orjson_text(event: Any, default: Any = None, **_: Any) -> str:
    # Every request writes an access line: orjson renders it in a fraction of json.dumps's
    # time. `default` is structlog's fallback (repr) for values JSON has no type for. What
    # orjson refuses (a lone surrogate a client sent as its operation name) is still
    # logged, by json.dumps: no request may keep its line out of the log.
    try:
        return orjson.dumps(event, default=default, option=orjson.OPT_NON_STR_KEYS).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(event, default=default or repr)


def configure_logging(*, json: bool | None = None, level: int = logging.INFO) -> None:
    """`json=None`: readable lines for someone at a terminal, JSON for a log collector."""
    terminal = sys.stdout.isatty()
    if json is None:
        json = not terminal
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_secrets,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=_orjson_text)
        if json
        # Colour codes only where a terminal interprets them, not in a file or a pipe.
        else structlog.dev.ConsoleRenderer(colors=terminal)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    # Standard-library loggers (ours, uvicorn's, libraries') go through the same renderer.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    # What the logging HOWTO's "Optimization" section lists: no record needs its caller's
    # file and line, thread or process (the JSON holds none of them), and finding them cost
    # more than rendering the line, on every request.
    logging._srcfile = None  # noqa: SLF001 - the documented switch
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    for existing in [h for h in root.handlers if getattr(h, "_tenantry", False)]:
        root.removeHandler(existing)
    # The handler's own level too: a library logger switched to DEBUG (Tortoise logs SQL with
    # its parameters there) must not reach the output through propagation.
    handler.setLevel(level)
    handler._tenantry = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


# Set by web/tracing.py while tracing is on: the current trace ID, which then is the request
# ID (so a log line leads to its trace). None: the caller's X-Request-ID or a new one.
_trace_id: Callable[[], str | None] | None = None


def use_trace_ids(trace_id: Callable[[], str | None] | None) -> None:
    global _trace_id
    _trace_id = trace_id


def request_id_of(scope: Scope) -> str | None:
    return scope.get("state", {}).get("request_id")


# nginx's status for a request whose client closed the connection before the answer.
CLIENT_CLOSED_REQUEST = 499


class RequestContextMiddleware:
    """Gives each request an ID (or keeps the caller's), echoes it, logs and measures it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # 32 hex digits, like a trace ID; token_hex, not uuid4().hex: the same digits without
        # the UUID object (0.6 µs against 2.1 µs).
        request_id = (
            (_trace_id is not None and _trace_id()) or _incoming_id(scope) or secrets.token_hex(16)
        )
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        # Read by the audit trail (domain/audit.py): where each change came from. Behind a
        # load balancer, uvicorn's --proxy-headers makes `client` the real client.
        client = scope.get("client")
        request_token = current_request.set(
            RequestContext(
                client_address=client[0] if client else None,
                user_agent=_header(scope, b"user-agent"),
                request_id=request_id,
            )
        )
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER, request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            # The client went away before its body arrived: nothing to answer and nothing
            # wrong here. Logged as 499, nginx's "client closed request", not as a 500 with a
            # traceback.
            status = CLIENT_CLOSED_REQUEST
        finally:
            seconds = time.perf_counter() - started
            operation = state.get("graphql_operation")
            metrics.observe_request(scope["path"], scope["method"], status, seconds, operation)
            log.info(
                "request",
                method=scope["method"],
                path=metrics.path_label(scope["path"]),
                status=status,
                duration_ms=round(seconds * 1000, 2),
                operation=operation,
                graphql_errors=state.get("graphql_errors"),
            )
            structlog.contextvars.reset_contextvars(**tokens)
            current_request.reset(request_token)


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return None


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER:
            candidate = value.decode("latin-1")
            return candidate if _SAFE_REQUEST_ID.match(candidate) else None
    return None
