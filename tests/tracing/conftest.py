"""Tracing on, into an in-memory exporter, around the test app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from httpx import ASGITransport, AsyncClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.graphql_client import GraphQLClient
from tests.smtp_server import smtp, smtp_down  # noqa: F401  (fixtures)
from web import tracing


@pytest.fixture
def spans(app: object) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.start(exporter)
    try:
        yield exporter
    finally:
        tracing.stop()


@pytest.fixture
async def traced_http(app: object, spans: InMemorySpanExporter) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=tracing.traced_asgi(app), client=("203.0.113.7", 51000))
    async with AsyncClient(transport=transport, base_url="http://tenantry.test") as client:
        yield client


@pytest.fixture
def traced_gql(traced_http: AsyncClient) -> GraphQLClient:
    return GraphQLClient(traced_http)
