"""Each event says where its change came from: the client's address, its User-Agent and the
request's ID, beside the changed fields (never secrets)."""

from __future__ import annotations

import json

from domain import audit
from models import AuditEvent
from tests.factories import Cast

CREATE_TENANT = 'mutation { createTenant(name: "initech") { __typename } }'
NEWEST = """
{ auditLog(first: 1) { edges { node {
    action clientAddress userAgent requestId changes tenant { name } } } } }
"""


async def newest(gql, person) -> dict:
    return (await gql(NEWEST, as_=person)).ok()["auditLog"]["edges"][0]["node"]


async def test_an_event_records_the_client_address_user_agent_and_request_id(gql, cast: Cast):
    headers = {"User-Agent": "Acme-Console/2.1", "X-Request-ID": "req-1234"}
    result = await gql(CREATE_TENANT, as_=cast.superuser, headers=headers)
    assert result.payload("createTenant")["__typename"] == "TenantPayload"
    node = await newest(gql, cast.superuser)
    assert node["action"] == "tenant.created"
    assert node["clientAddress"] == "203.0.113.7"  # the test client's address (conftest)
    assert node["userAgent"] == "Acme-Console/2.1"
    assert node["requestId"] == "req-1234"


async def test_a_request_without_an_id_gets_the_one_the_server_answers_with(gql, cast: Cast):
    result = await gql(CREATE_TENANT, as_=cast.superuser)
    node = await newest(gql, cast.superuser)
    assert node["requestId"] == result.response.headers["x-request-id"]


async def test_an_unprintable_or_overlong_user_agent_is_kept_printable_and_bounded(gql, cast: Cast):
    await gql(CREATE_TENANT, as_=cast.superuser, headers={"User-Agent": "x\x7f" + "y" * 900})
    user_agent = (await newest(gql, cast.superuser))["userAgent"]
    assert user_agent == ("x" + "y" * 900)[:512]


async def test_an_event_shows_its_changes_as_json_and_its_tenant(gql, cast: Cast):
    await audit.record(
        None, "user.updated", tenant_id=cast.tenant_a.id, changes={"role": "admin", "email": "x"}
    )
    node = await newest(gql, cast.admin_a)
    assert json.loads(node["changes"]) == {"email": "x", "role": "admin"}
    assert node["tenant"] == {"name": cast.tenant_a.name}


async def test_secrets_in_changes_show_as_set_in_the_answer_too(gql, cast: Cast):
    await audit.record(
        None, "settings.smtp_updated", tenant_id=None, changes={"host": "h", "password": "pw!"}
    )
    node = await newest(gql, cast.superuser)
    assert json.loads(node["changes"]) == {"host": "h", "password": "<set>"}
    assert node["tenant"] is None


async def test_a_change_made_outside_a_request_records_no_client(app, cast: Cast):
    row = await audit.record(None, "cli.event", tenant_id=None)
    stored = await AuditEvent.get(id=row.id)
    assert (stored.client_address, stored.user_agent, stored.request_id) == (None, None, None)
