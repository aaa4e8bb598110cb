"""With tracing on, a webhook delivery is a CLIENT span whose trace the receiver joins (W3C
`traceparent`); its attributes name the receiver's host and port, never the path or the body."""

from __future__ import annotations

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_span_id, format_trace_id

from models import DeliveryStatus
from tests.tracing.conftest import spans  # noqa: F401 - the fixture
from tests.tracing.test_spans import named
from tests.webhooks.test_delivery import new_hook, promote, settled


async def test_a_delivery_is_a_client_span_the_receiver_joins(
    gql,
    cast,
    receiver,
    spans: InMemorySpanExporter,  # noqa: F811 - the fixture
):
    hook_id, _ = await new_hook(gql, cast.admin_a, receiver, ["user.role_changed"], cast.tenant_a)
    await promote(gql, cast, cast.member_a)
    (received,) = await receiver.wait_for(1)
    row = await settled({"webhook_id": hook_id})
    assert row.status is DeliveryStatus.SUCCEEDED
    call = named(spans, "webhook POST")
    assert call.kind is SpanKind.CLIENT
    where = {"server.address": "127.0.0.1", "server.port": receiver.port}
    assert dict(call.attributes or {}) == where
    trace_id = format_trace_id(call.context.trace_id)
    assert received.headers["traceparent"].split("-")[1:3] == [
        trace_id, format_span_id(call.context.span_id)
    ]  # fmt: skip
