"""Prometheus metrics: requests, latency, GraphQL errors by operation, the argon2 queue.

Labels stay bounded: paths are the app's own routes, operation names are capped (a client
chooses them), error codes come from our own errors.

Under `serve --workers N` (PROMETHEUS_MULTIPROC_DIR set by serve before this is imported) the
values live in files shared by the workers, and /metrics on any of them adds up all of them:
prometheus-client's multiprocess mode. The values a process only knows in memory (the argon2
queue, the Redis fallbacks) are then copied into those files after each request.
"""

from __future__ import annotations

import hmac
import os
import re

from graphql import GraphQLError
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from config import get_config
from domain import redis_link
from domain.auth.passwords import hashing
from web.auth import bearer_token

REGISTRY = CollectorRegistry(auto_describe=True)
# Read once, as prometheus-client itself does at import.
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
KNOWN_PATHS = frozenset({"/graphql", "/healthz", "/metrics"})
MAX_OPERATION_NAMES = 200
OTHER = "other"

REQUESTS = Counter(
    "tenantry_http_requests_total",
    "HTTP requests answered, by path, method, status and GraphQL operation name.",
    ["path", "method", "status", "operation"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "tenantry_http_request_duration_seconds",
    "Time to answer an HTTP request, by path and GraphQL operation name.",
    ["path", "operation"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
GRAPHQL_ERRORS = Counter(
    "tenantry_graphql_errors_total",
    "GraphQL errors returned, by operation name and extensions.code.",
    ["operation", "code"],
    registry=REGISTRY,
)
PASSWORD_QUEUE = Gauge(
    "tenantry_password_hash_waiting",
    "Password hashes waiting for or running in the argon2 thread pool.",
    registry=REGISTRY,
    multiprocess_mode="livesum",  # the workers' queues added up, the dead ones' left out
)
if not MULTIPROCESS:
    PASSWORD_QUEUE.set_function(lambda: hashing().waiting)
DATABASE_UNAVAILABLE = Counter(
    "tenantry_database_unavailable_responses",
    "Requests answered 503 because the database could not be reached.",
    registry=REGISTRY,
)


_REDIS_FALLBACKS_HELP = (
    "Rate-limit checks and persisted-query lookups done without Redis, while it was down."
)


class _RedisFallbacks(Collector):
    """domain/redis_link.py counts (the domain knows no Prometheus); this reports the counts."""

    def collect(self) -> list[CounterMetricFamily]:
        family = CounterMetricFamily(
            "tenantry_redis_fallbacks", _REDIS_FALLBACKS_HELP, labels=["use"]
        )
        for use in redis_link.Use:
            family.add_metric([use.value], redis_link.FALLBACKS[use])
        return [family]


if MULTIPROCESS:
    # A collector's values would be the scraped worker's only: a counter in the shared files.
    REDIS_FALLBACKS = Counter(
        "tenantry_redis_fallbacks", _REDIS_FALLBACKS_HELP, ["use"], registry=REGISTRY
    )
    _fallbacks_copied: dict[redis_link.Use, int] = {}
else:
    REGISTRY.register(_RedisFallbacks())


def _copy_process_values() -> None:
    """Multiprocess mode: what this process keeps in memory, into the shared files."""
    PASSWORD_QUEUE.set(hashing().waiting)
    for use in redis_link.Use:
        count = redis_link.FALLBACKS[use]
        if count != _fallbacks_copied.get(use, 0):
            REDIS_FALLBACKS.labels(use.value).inc(count - _fallbacks_copied.get(use, 0))
            _fallbacks_copied[use] = count


_operations: set[str] = set()
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if name in _operations:
        return name
    # Only a GraphQL name becomes a label: anything else (a lone surrogate, say) would make
    # every later scrape fail to encode.
    if len(_operations) >= MAX_OPERATION_NAMES or not _GRAPHQL_NAME.fullmatch(name):
        return OTHER
    _operations.add(name)
    return name


def path_label(path: str) -> str:
    return path if path in KNOWN_PATHS else OTHER


def observe_request(
    path: str, method: str, status: int, seconds: float, operation: str | None
) -> None:
    label = operation_label(operation) if operation is not None else ""
    path = path_label(path)
    REQUESTS.labels(path, method, str(status), label).inc()
    LATENCY.labels(path, label).observe(seconds)
    if MULTIPROCESS:
        _copy_process_values()


def observe_errors(operation: str | None, errors: list[GraphQLError]) -> None:
    label = operation_label(operation)
    for error in errors:
        code = (error.extensions or {}).get("code") or (
            "INTERNAL_SERVER_ERROR" if error.message == "Unexpected error." else "GRAPHQL_ERROR"
        )
        GRAPHQL_ERRORS.labels(label, str(code)).inc()


async def metrics(request: Request) -> Response:
    token = get_config().metrics_token
    presented = bearer_token(request) or ""
    if token is not None and not hmac.compare_digest(presented.encode(), token.encode()):
        return Response(
            "/metrics needs the metrics token.\n",
            401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            media_type="text/plain",
        )
    return Response(generate_latest(_scraped()), media_type=CONTENT_TYPE_LATEST)


def _scraped() -> CollectorRegistry:
    if not MULTIPROCESS:
        return REGISTRY
    _copy_process_values()
    # Made per scrape, as prometheus-client prescribes: it reads every worker's files.
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry
