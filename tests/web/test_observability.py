"""/metrics, request IDs, structured logs without secrets, /healthz."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from httpx import AsyncClient
from pydantic import ValidationError

from config import Config
from tests.factories import DEFAULT_PASSWORD
from tests.other_settings import ClientFactory

LOGIN = """mutation($input: LoginInput!) { login(input: $input) { __typename } }"""


async def test_metrics_count_requests_latency_and_errors_by_operation(http: AsyncClient) -> None:
    await http.post("/graphql", json={"query": "query WhoAmI { me { id } }"})
    await http.post("/graphql", json={"query": "query Broken { nope }"})
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'tenantry_http_requests_total{method="POST",operation="WhoAmI",path="/graphql",status="200"}'
        in text
    )  # noqa: E501
    assert (
        'tenantry_http_request_duration_seconds_bucket{le="0.005",operation="WhoAmI",path="/graphql"}'
        in text
    )  # noqa: E501
    assert 'tenantry_graphql_errors_total{code="GRAPHQL_ERROR",operation="Broken"}' in text
    assert "tenantry_password_hash_waiting 0.0" in text


async def test_metrics_count_errors_by_code(http: AsyncClient, cast) -> None:
    await http.post(
        "/graphql", json={"query": "query GuestList { users { totalCount } }"},
        headers={"authorization": f"Bearer {cast.guest_a.token}"},
    )  # fmt: skip
    text = (await http.get("/metrics")).text
    assert 'tenantry_graphql_errors_total{code="FORBIDDEN",operation="GuestList"}' in text


async def test_every_response_carries_a_request_id(http: AsyncClient) -> None:
    first = await http.get("/healthz")
    second = await http.post("/graphql", json={"query": "{ me { id } }"})
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_a_callers_request_id_is_echoed(http: AsyncClient) -> None:
    response = await http.get("/healthz", headers={"x-request-id": "edge-42.abc"})
    assert response.headers["x-request-id"] == "edge-42.abc"


async def test_an_unsafe_request_id_is_replaced(http: AsyncClient) -> None:
    response = await http.get("/healthz", headers={"x-request-id": "a b\tc" + "x" * 200})
    assert response.headers["x-request-id"] != "a b\tc" + "x" * 200
    assert len(response.headers["x-request-id"]) == 32


async def test_each_request_logs_one_json_line_with_its_request_id(
    http: AsyncClient, log_lines: list[str]
) -> None:
    response = await http.post("/graphql", json={"query": "query Ping { me { id } }"})
    entries = [json.loads(line) for line in log_lines]
    request_lines = [e for e in entries if e["event"] == "request"]
    assert request_lines == [
        {
            "event": "request",
            "method": "POST",
            "path": "/graphql",
            "status": 200,
            "duration_ms": request_lines[0]["duration_ms"],
            "operation": "Ping",
            "graphql_errors": None,
            "request_id": response.headers["x-request-id"],
            "level": "info",
            "logger": "tenantry.http",
            "timestamp": request_lines[0]["timestamp"],
        }
    ]


async def test_no_secret_reaches_the_logs(http: AsyncClient, cast, log_lines: list[str]) -> None:
    secret_password = "a-password-nobody-should-log"
    await http.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"input": {
            "tenant": "acme", "username": "alice", "password": secret_password}}},
        headers={"authorization": f"Bearer {cast.member_a.token}"},
    )  # fmt: skip
    await http.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"input": {
            "tenant": "acme", "username": "alice", "password": DEFAULT_PASSWORD}}},
    )  # fmt: skip
    everything = "\n".join(log_lines)
    assert log_lines
    for secret in (secret_password, DEFAULT_PASSWORD, cast.member_a.token, "tns_"):
        assert secret not in everything


async def test_healthz_answers_200_while_the_database_answers(http: AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}


HEALTH_WITHOUT_DATABASE = """
import asyncio, httpx
from config import Config
from web.app import create_app

async def main():
    # A PostgreSQL URL whose port has nothing listening.
    config = Config(database_url="postgres://postgres@127.0.0.1:9/none", secret_key="k")
    app = create_app(config, run_workers=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/healthz")
            print("RESULT", response.status_code, response.text)

asyncio.run(main())
"""


def test_healthz_answers_503_when_the_database_does_not() -> None:
    # Its own process: the app under test must not share this one's ORM connections.
    done = subprocess.run(
        [sys.executable, "-c", HEALTH_WITHOUT_DATABASE],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    result = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
    assert result == [
        'RESULT 503 {"status":"unavailable","database":"unavailable","redis":"not configured"}'
    ], done.stderr


async def test_metrics_with_a_token_set_refuse_callers_without_it(
    client_with: ClientFactory,
) -> None:
    async with client_with(metrics_token="scrape-secret-1") as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"authorization": "Bearer scrape-secret-2"})
        right = await client.get("/metrics", headers={"authorization": "Bearer scrape-secret-1"})

    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.headers["www-authenticate"] == 'Bearer realm="metrics"'
    assert "tenantry_http_requests_total" not in missing.text + wrong.text
    assert right.status_code == 200
    assert "tenantry_http_requests_total" in right.text


async def test_an_operation_name_that_is_no_graphql_name_is_logged_and_counted_as_other(
    http: AsyncClient, log_lines: list[str]
) -> None:
    # A lone surrogate, as JSON allows it: neither the log line nor /metrics may break.
    body = '{"query": "query Q { __typename }", "operationName": "\\ud800"}'
    await http.post("/graphql", content=body, headers={"content-type": "application/json"})

    metrics = await http.get("/metrics")

    assert metrics.status_code == 200
    assert 'operation="other",path="/graphql"' in metrics.text
    assert any('"path":"/graphql"' in line or '"path": "/graphql"' in line for line in log_lines)


def test_a_metrics_token_shorter_than_16_characters_is_refused() -> None:
    with pytest.raises(ValidationError):
        Config(metrics_token="short")


async def test_a_client_that_leaves_before_its_body_arrives_is_logged_as_499_not_as_an_error(
    app, log_lines: list[str]
) -> None:
    body = b'{"query": "{ me { id } }"'
    messages = iter([{"type": "http.request", "body": body[:10], "more_body": True},
                     {"type": "http.disconnect"}])  # fmt: skip
    sent: list[dict] = []

    async def receive() -> dict:
        return next(messages)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
        "root_path": "", "client": ("203.0.113.9", 50000), "server": ("tenantry.test", 80),
        "headers": [(b"host", b"tenantry.test"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
    }  # fmt: skip
    await app(scope, receive, send)  # raises nothing
    assert sent == []
    entries = [json.loads(line) for line in log_lines]
    assert [(e["event"], e.get("status")) for e in entries] == [("request", 499)]
