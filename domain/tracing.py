"""Spans around the calls Tenantry makes to other services (SMTP, webhooks), when tracing is
on; when it is off, nothing: no OpenTelemetry module is imported and `outgoing_call` hands back
a context manager that does nothing.

`web/tracing.py` turns tracing on at start (`OTEL_EXPORTER_OTLP_ENDPOINT` is set) by calling
`use`. A new kind of outgoing call wraps itself like this (webhooks, say):

    with outgoing_call("webhook POST", {"server.address": host, "server.port": port}):
        headers = {**headers, **trace_headers()}  # W3C traceparent: the receiver joins in
        response = await client.post(url, content=body, headers=headers)

The span is a CLIENT span, a child of the request's (or of the worker's) span; an exception
raised inside marks it failed. Never put secrets, message bodies or query strings in the
attributes: they are exported to the operator's collector.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

SpanStarter = Callable[[str, Mapping[str, Any]], contextlib.AbstractContextManager[Any]]

_start: SpanStarter | None = None
_headers: Callable[[], dict[str, str]] | None = None


def use(start: SpanStarter | None, headers: Callable[[], dict[str, str]] | None = None) -> None:
    """Called by web/tracing.py: `start` opens a CLIENT span; None turns spans off again."""
    global _start, _headers
    _start, _headers = start, headers


def outgoing_call(
    name: str, attributes: Mapping[str, Any]
) -> contextlib.AbstractContextManager[Any]:
    """A span named `name` around an outgoing call, or nothing when tracing is off."""
    if _start is None:
        return contextlib.nullcontext()
    return _start(name, attributes)


def trace_headers() -> dict[str, str]:
    """`traceparent` (and `tracestate`) for an outgoing HTTP request; empty when off."""
    return _headers() if _headers is not None else {}
