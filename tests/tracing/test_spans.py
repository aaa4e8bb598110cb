"""OpenTelemetry traces, read back from an in-memory exporter: a span per request, per GraphQL
operation, per SQL statement and per SMTP call, nothing secret in them, and the request ID equal
to the trace ID. The app is wrapped in the same ASGI middleware `create_app` puts outermost."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_trace_id

from tests.factories import Cast
from tests.graphql_client import GraphQLClient
from tests.smtp_server import SmtpServer
from web import tracing

ME = "query Me { me { username } }"
LOGIN = """
mutation SignIn($input: LoginInput!) {
  login(input: $input) { __typename }
}
"""
TEST_MAIL = """
mutation Probe($to: String!) {
  sendTestEmail(to: $to) { __typename }
}
"""


def named(spans: InMemorySpanExporter, name: str) -> ReadableSpan:
    [span] = [s for s in spans.get_finished_spans() if s.name == name]
    return span


def server_span(spans: InMemorySpanExporter) -> ReadableSpan:
    [span] = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    return span


def sql_spans(spans: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if "db.statement" in (s.attributes or {})]


def every_attribute_value(spans: InMemorySpanExporter) -> str:
    return repr([dict(s.attributes or {}) for s in spans.get_finished_spans()])


async def test_a_request_is_one_server_span_holding_its_operation_and_its_sql(
    traced_gql: GraphQLClient, spans: InMemorySpanExporter, cast: Cast
):
    spans.clear()  # the setup's own SQL
    (await traced_gql(ME, as_=cast.member_a)).ok()
    request = server_span(spans)
    operation = named(spans, "query Me")
    assert request.name == "POST /graphql"
    assert operation.parent is not None and operation.parent.span_id == request.context.span_id
    statements = sql_spans(spans)
    assert statements, "no SQL span"
    assert {s.context.trace_id for s in statements} == {request.context.trace_id}
    assert all(s.kind is SpanKind.CLIENT for s in statements)


async def test_the_operation_span_has_its_name_and_type_and_no_variables(
    traced_gql: GraphQLClient, spans: InMemorySpanExporter, cast: Cast
):
    spans.clear()  # the setup's own SQL
    secret = "a-password-in-variables-Xq7"
    variables = {"input": {"tenant": "acme", "username": "alice", "password": secret}}
    await traced_gql(LOGIN, variables)
    operation = named(spans, "mutation SignIn")
    assert dict(operation.attributes or {}) == {
        "graphql.operation.name": "SignIn",
        "graphql.operation.type": "mutation",
    }
    assert secret not in every_attribute_value(spans)


async def test_sql_spans_carry_the_statement_with_placeholders_and_never_its_values(
    traced_gql: GraphQLClient, spans: InMemorySpanExporter, cast: Cast, db_kind: str
):
    spans.clear()  # the setup's own SQL
    variables = {"input": {"tenant": "acme", "username": "someone-unknown-Kp2", "password": "x"}}
    await traced_gql(LOGIN, variables)
    statements = sql_spans(spans)
    assert any('"user"' in str(s.attributes["db.statement"]) for s in statements)
    assert {s.attributes.get("db.system") for s in statements} == {
        "sqlite" if db_kind == "sqlite" else "postgresql"
    }
    assert "someone-unknown-Kp2" not in every_attribute_value(spans)


async def test_the_request_id_is_the_trace_id(
    traced_gql: GraphQLClient, spans: InMemorySpanExporter, cast: Cast, log_lines: list[str]
):
    spans.clear()  # the setup's own SQL
    response = await traced_gql.http.post("/graphql", json={"query": "{ __typename }"})
    trace_id = format_trace_id(server_span(spans).context.trace_id)
    assert response.headers["x-request-id"] == trace_id
    [line] = [line for line in log_lines if '"event":"request"' in line]
    assert f'"request_id":"{trace_id}"' in line


async def test_a_callers_traceparent_continues_its_trace(
    traced_http: AsyncClient, spans: InMemorySpanExporter
):
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    response = await traced_http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
    )
    assert format_trace_id(server_span(spans).context.trace_id) == trace_id
    assert response.headers["x-request-id"] == trace_id


async def test_the_query_string_stays_out_of_the_request_span(
    traced_http: AsyncClient, spans: InMemorySpanExporter
):
    await traced_http.get(
        "/graphql",
        params={"query": "{ __typename }", "variables": '{"token": "tnt_secret-in-url-9Hd"}'},
        headers={"accept": "application/json"},
    )
    assert "secret-in-url" not in every_attribute_value(spans)
    attributes = server_span(spans).attributes or {}
    assert any(str(value).endswith("/graphql") for value in attributes.values())


async def test_an_smtp_call_is_a_client_span_inside_its_operation(
    traced_gql: GraphQLClient, spans: InMemorySpanExporter, cast: Cast, smtp: SmtpServer
):
    spans.clear()  # the setup's own SQL
    answer = await traced_gql(TEST_MAIL, {"to": "someone@example.com"}, as_=cast.superuser)
    assert answer.payload("sendTestEmail")["__typename"] == "SendTestEmailSuccess"
    call = named(spans, "smtp send")
    assert call.kind is SpanKind.CLIENT
    assert dict(call.attributes or {}) == {
        "server.address": "127.0.0.1",
        "server.port": smtp.port,
        "smtp.security": "none",
    }
    operation = named(spans, "mutation Probe")
    assert call.parent is not None and call.parent.span_id == operation.context.span_id
    assert "someone@example.com" not in every_attribute_value(spans)


async def test_a_refused_smtp_call_is_a_failed_span(
    traced_gql: GraphQLClient, spans: InMemorySpanExporter, cast: Cast, smtp_down: SmtpServer
):
    spans.clear()  # the setup's own SQL
    await traced_gql(TEST_MAIL, {"to": "someone@example.com"}, as_=cast.superuser)
    assert not named(spans, "smtp send").status.is_ok


def test_the_operation_type_is_read_from_the_document():
    assert tracing.operation_type("{ me { id } }", None) == "query"
    assert tracing.operation_type("mutation M { a }", None) == "mutation"
    assert tracing.operation_type("query A { a } mutation B { b }", "B") == "mutation"
    assert tracing.operation_type("subscription S { s }", "S") == "subscription"


@pytest.mark.parametrize(
    ("environment", "on"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, False),
    ],
)
def test_tracing_is_on_only_when_an_otlp_endpoint_is_set(environment, on):
    assert tracing.configured(environment) is on


async def test_an_outgoing_call_joins_the_current_trace_and_passes_it_on(
    spans: InMemorySpanExporter,
):
    from domain.tracing import outgoing_call, trace_headers

    with outgoing_call("webhook POST", {"server.address": "hooks.example"}) as span:
        headers = trace_headers()
    trace_id = format_trace_id(span.get_span_context().trace_id)
    assert headers["traceparent"].split("-")[1] == trace_id
    assert named(spans, "webhook POST").kind is SpanKind.CLIENT


def test_with_tracing_off_an_outgoing_call_is_no_span_and_no_header():
    from domain.tracing import outgoing_call, trace_headers

    assert not tracing.active()
    with outgoing_call("webhook POST", {}) as span:
        assert span is None
        assert trace_headers() == {}


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/healthz", "GET /healthz"),
        ("/accept-invitation", "GET /accept-invitation"),
        ("/saml/acme/metadata", "GET /saml/{tenant}/metadata"),
        ("/wp-admin/setup.php", "GET other"),
    ],
)
async def test_request_spans_are_named_by_route_not_by_any_path(
    traced_http: AsyncClient, spans: InMemorySpanExporter, path: str, name: str
):
    await traced_http.get(path)
    assert server_span(spans).name == name
