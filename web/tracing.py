"""OpenTelemetry tracing, on when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, exported over OTLP/HTTP; off otherwise, and then
nothing of OpenTelemetry is imported or run (`create_app` adds no middleware, the domain's
`outgoing_call` is a null context).

Spans, when on:
- one per HTTP request and WebSocket connection: OpenTelemetry's ASGI middleware, outermost, so
  the request's log lines carry its trace ID as their `request_id` (web/logging.py); the query
  string is cut from the URL attributes (a GET may carry a token or variables);
- one per GraphQL operation (`query Name`; attributes: operation name and type, never the
  variables nor the document): web/graphql.py, through `operation_span`;
- one per SQL statement: asyncpg's instrumentation on PostgreSQL; on SQLite, spans made here
  around aiosqlite's statement queue (`Connection._execute`), since sqlite3's instrumentation
  traces cursors and aiosqlite runs statements on the connection. Statements are recorded with
  their placeholders, never their parameters;
- one per outgoing SMTP call (domain/mail.py) and any other caller of
  `domain.tracing.outgoing_call` (webhooks).

Everything else follows the standard variables: `OTEL_SERVICE_NAME` (default `tenantry`),
`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER[_ARG]`, `OTEL_EXPORTER_OTLP_HEADERS`,
`OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_BSP_*`, `OTEL_SDK_DISABLED=true` turns it off.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from starlette.middleware import Middleware

from domain import tracing as outgoing
from web import logging as request_logging
from web import metrics

_state: dict[str, Any] = {}
_SQLITE_EXECUTE = "_execute"
# The first keyword of a statement names its span (SELECT, INSERT …), as the SQL conventions ask.
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")
_URL_ATTRIBUTES = ("http.url", "url.full", "http.target")


def configured(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for traces (OpenTelemetry's own variables)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def active() -> bool:
    return "provider" in _state


def start(exporter: Any = None) -> Any:
    """Turn tracing on for this process and return the tracer provider.

    `exporter` None: OTLP/HTTP in batches, configured by the OTEL_* variables, and the provider
    becomes OpenTelemetry's global one. Tests pass an in-memory exporter instead (spans are
    then exported one by one as they end, and nothing global is set).
    """
    if active():
        return _state["provider"]
    from opentelemetry import propagate, trace
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create(_default_resource()))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("tenantry")
    AsyncPGInstrumentor().instrument(tracer_provider=provider)
    _instrument_aiosqlite(tracer)

    def client_span(name: str, attributes: Mapping[str, Any]) -> AbstractContextManager[Any]:
        return tracer.start_as_current_span(
            name, kind=trace.SpanKind.CLIENT, attributes=dict(attributes)
        )

    def headers() -> dict[str, str]:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        return carrier

    outgoing.use(client_span, headers)
    request_logging.use_trace_ids(_current_trace_id)
    _state.update(provider=provider, tracer=tracer)
    return provider


def stop() -> None:
    """Turn tracing off again (tests; a process simply exits): spans end up exported."""
    if not active():
        return
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    AsyncPGInstrumentor().uninstrument()
    _uninstrument_aiosqlite()
    outgoing.use(None)
    request_logging.use_trace_ids(None)
    provider = _state.pop("provider")
    _state.clear()
    provider.shutdown()


def middleware() -> list[Middleware]:
    """The request span, outermost: nothing when tracing is off."""
    if not active():
        return []
    return [Middleware(traced_asgi)]


def traced_asgi(app: Any) -> Any:
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return OpenTelemetryMiddleware(
        app,
        tracer_provider=_state["provider"],
        default_span_details=_span_details,
        server_request_hook=_without_query_string,
        # Not a span per body chunk sent or received: one per request is what is asked for.
        exclude_spans=["receive", "send"],
    )


def operation_span(operation: str | None, document: str | None) -> AbstractContextManager[Any]:
    """A span around one GraphQL operation: its type and name, nothing of its variables."""
    if not active():
        return nullcontext()
    return _operation_span(operation, operation_type(document, operation))


@contextmanager
def _operation_span(operation: str | None, kind: str) -> Iterator[Any]:
    attributes = {"graphql.operation.type": kind}
    if operation:
        attributes["graphql.operation.name"] = operation
    name = f"{kind} {operation}" if operation else kind
    with _state["tracer"].start_as_current_span(name, attributes=attributes) as span:
        yield span


_OPERATION = re.compile(r"\b(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?")


def operation_type(document: str | None, operation: str | None) -> str:
    """`query`, `mutation` or `subscription`: of the named operation, else of the first one (a
    document that starts with `{` is a query)."""
    text = document or ""
    first = None
    for match in _OPERATION.finditer(text):
        if operation is None or match.group(2) == operation:
            first = match
            break
    if first is None or (operation is None and text.lstrip().startswith("{")):
        return "query"
    return first.group(1)


def _default_resource() -> dict[str, str]:
    # Passed attributes win over OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES: name the
    # service only when the operator did not.
    named = "OTEL_SERVICE_NAME" in os.environ or "service.name" in os.environ.get(
        "OTEL_RESOURCE_ATTRIBUTES", ""
    )
    return {} if named else {"service.name": "tenantry"}


def _current_trace_id() -> str | None:
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None


@functools.cache
def _link_paths() -> frozenset[str]:
    from web.links import ROUTES

    return frozenset(route.path for route in ROUTES)


_SAML_PATH = re.compile(r"^/saml/[^/]+/([a-z]+)$")


def _span_details(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    # Span names stay few: our routes by name, a tenant's SAML paths by their template, any
    # other path (a scanner's, say) as `other`; the path itself is still an attribute.
    path = scope.get("path", "")
    if path in metrics.KNOWN_PATHS or path in _link_paths():
        route = path
    elif match := _SAML_PATH.match(path):
        route = f"/saml/{{tenant}}/{match.group(1)}"
    else:
        route = metrics.OTHER
    method = scope.get("method")
    return (f"{method} {route}" if method else f"WebSocket {route}"), {}


def _without_query_string(span: Any, scope: dict[str, Any]) -> None:
    # A GET /graphql carries the document and variables, a link its token: the URL attributes
    # keep the path only.
    if not span.is_recording() or not scope.get("query_string"):
        return
    attributes = getattr(span, "attributes", None) or {}
    for key in _URL_ATTRIBUTES:
        value = attributes.get(key)
        if isinstance(value, str):
            span.set_attribute(key, value.split("?", 1)[0])
    if "url.query" in attributes:
        span.set_attribute("url.query", "")


def _instrument_aiosqlite(tracer: Any) -> None:
    import aiosqlite
    from opentelemetry.trace import SpanKind

    original = getattr(aiosqlite.Connection, _SQLITE_EXECUTE)
    _state["aiosqlite_execute"] = original

    @functools.wraps(original)
    async def traced(self: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        # Statements come with their SQL first; commits and closes without: no span for those.
        if not args or not isinstance(args[0], str):
            return await original(self, fn, *args, **kwargs)
        statement = args[0]
        match = _FIRST_WORD.match(statement)
        attributes = {"db.system": "sqlite", "db.statement": statement}
        with tracer.start_as_current_span(
            match.group(1).upper() if match else "sqlite",
            kind=SpanKind.CLIENT,
            attributes=attributes,
        ):
            return await original(self, fn, *args, **kwargs)

    setattr(aiosqlite.Connection, _SQLITE_EXECUTE, traced)


def _uninstrument_aiosqlite() -> None:
    import aiosqlite

    original = _state.pop("aiosqlite_execute", None)
    if original is not None:
        setattr(aiosqlite.Connection, _SQLITE_EXECUTE, original)
