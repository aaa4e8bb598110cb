"""Tracing as an operator turns it on: `tenantry serve` with `OTEL_EXPORTER_OTLP_ENDPOINT`
sends its spans over OTLP/HTTP to a collector (here a real HTTP receiver that decodes them);
without the variable, no tracing module is even imported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.cli.test_commands import free_port

ROOT = Path(__file__).resolve().parents[2]


class Collector(ThreadingHTTPServer):
    def __init__(self) -> None:
        self.requests: list[tuple[str, ExportTraceServiceRequest]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                message = ExportTraceServiceRequest()
                message.ParseFromString(body)
                outer.requests.append((self.path, message))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    def span_names(self) -> set[str]:
        return {
            span.name
            for _, message in self.requests
            for resource in message.resource_spans
            for scope in resource.scope_spans
            for span in scope.spans
        }

    def service_names(self) -> set[str]:
        return {
            attribute.value.string_value
            for _, message in self.requests
            for resource in message.resource_spans
            for attribute in resource.resource.attributes
            if attribute.key == "service.name"
        }


def test_serve_exports_its_spans_over_otlp_http_when_an_endpoint_is_set(tmp_path):
    collector = Collector()
    threading.Thread(target=collector.serve_forever, args=(0.02,), daemon=True).start()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT),
             "TENANTRY_DATABASE_URL": f"sqlite://{tmp_path / 'tenantry.db'}",
             "TENANTRY_SECRET_KEY": "test-secret-key-not-for-production",
             "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.server_port}",
             "OTEL_BSP_SCHEDULE_DELAY": "100"},
    )  # fmt: skip
    try:
        response = None
        deadline = time.monotonic() + 60
        while response is None and time.monotonic() < deadline:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/graphql",
                    json={"query": "query Ping { __typename }"},
                )
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None and response.status_code == 200
        while "query Ping" not in collector.span_names() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
        collector.shutdown()
    assert {path for path, _ in collector.requests} == {"/v1/traces"}
    assert {"POST /graphql", "query Ping"} <= collector.span_names()
    assert collector.service_names() == {"tenantry"}
    # The X-Request-ID answered is the trace the collector received.
    trace_ids = {
        span.trace_id.hex()
        for _, message in collector.requests
        for resource in message.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
        if span.name == "query Ping"
    }
    assert trace_ids == {response.headers["x-request-id"]}


def test_without_an_endpoint_no_tracing_module_is_imported(tmp_path):
    program = """
import sys
from httpx import ASGITransport, Client
import asyncio, httpx
from config import Config
from web.app import create_app

async def main():
    app = create_app(Config(database_url="sqlite://:memory:", secret_key="k" * 32))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answer = await client.post("/graphql", json={"query": "{ __typename }"})
            assert answer.status_code == 200, answer.text
    # redis-py imports OpenTelemetry's metrics API by itself when it is installed: what must
    # stay out is ours, the tracing SDK, the instrumentations and the exporter.
    ours = ("opentelemetry.sdk.trace", "opentelemetry.instrumentation", "opentelemetry.exporter")
    print(sorted(m for m in sys.modules if m.startswith(ours)))

asyncio.run(main())
"""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**environment, "PYTHONPATH": str(ROOT), "TENANTRY_LOG_JSON": "true"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
