"""updateListeners: the ports for crash ingestion and user requests, saved whole or not at all."""

from __future__ import annotations

import pytest

from models import AuditEvent, InstanceSettings
from tests.factories import Cast
from tests.settings import certs

UPDATE = """
mutation($l: [ListenerInput!]!) {
  updateListeners(listeners: $l) {
    __typename
    ... on ListenersPayload { listeners { purpose address port tls } }
    ... on ValidationError { message field }
  }
}
"""
UPDATE_SSL = """
mutation($input: SslSettingsInput!) { updateSslSettings(input: $input) { __typename } }
"""


def listener(
    address: str = "127.0.0.1",
    port: int = 8000,
    *,
    purpose: str = "USER_REQUESTS",
    tls: bool = False,
) -> dict:
    return {"purpose": purpose, "address": address, "port": port, "tls": tls}


async def save(gql, person, *entries: dict):
    return await gql(UPDATE, {"l": list(entries)}, as_=person)


async def stored() -> list:
    row = await InstanceSettings.get_or_none(id=1)
    return row.listeners if row else []


async def test_a_superuser_sets_crash_and_user_request_listeners(gql, cast: Cast):
    result = (
        await save(
            gql,
            cast.superuser,
            listener("0.0.0.0", 6097, purpose="CRASH_INGEST"),
            listener("127.0.0.1", 8080),
        )
    ).payload("updateListeners")
    assert result == {
        "__typename": "ListenersPayload",
        "listeners": [
            {"purpose": "CRASH_INGEST", "address": "0.0.0.0", "port": 6097, "tls": False},
            {"purpose": "USER_REQUESTS", "address": "127.0.0.1", "port": 8080, "tls": False},
        ],
    }
    assert [entry["port"] for entry in await stored()] == [6097, 8080]


async def test_addresses_are_stored_in_their_normal_form(gql, cast: Cast):
    result = (
        await save(
            gql, cast.superuser, listener("0:0:0:0:0:0:0:1", 8080), listener(" 10.0.0.1 ", 8080)
        )
    ).payload("updateListeners")
    assert [entry["address"] for entry in result["listeners"]] == ["::1", "10.0.0.1"]


async def test_saving_replaces_the_whole_list(gql, cast: Cast):
    await save(gql, cast.superuser, listener(port=8080), listener(port=8081))
    await save(gql, cast.superuser, listener(port=9000))
    assert [entry["port"] for entry in await stored()] == [9000]


async def test_an_empty_list_is_allowed(gql, cast: Cast):
    await save(gql, cast.superuser, listener(port=8080))
    result = (await save(gql, cast.superuser)).payload("updateListeners")
    assert result["listeners"] == []
    assert await stored() == []


@pytest.mark.parametrize("address", ["localhost", "256.0.0.1", "10.0.0", "::g", "", "1.2.3.4/24"])
async def test_an_address_that_is_not_an_ip_address_is_refused(gql, cast: Cast, address: str):
    result = (
        await save(gql, cast.superuser, listener(port=8080), listener(address, 8081))
    ).payload("updateListeners")
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "listeners[1].address"


@pytest.mark.parametrize("port", [0, -1, 65536, 100000])
async def test_a_port_outside_1_to_65535_is_refused(gql, cast: Cast, port: int):
    result = (await save(gql, cast.superuser, listener(port=port))).payload("updateListeners")
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "listeners[0].port"


@pytest.mark.parametrize("port", [1, 65535])
async def test_ports_1_and_65535_are_accepted(gql, cast: Cast, port: int):
    result = (await save(gql, cast.superuser, listener(port=port))).payload("updateListeners")
    assert result["listeners"][0]["port"] == port


async def test_two_listeners_on_the_same_address_and_port_are_refused(gql, cast: Cast):
    result = (
        await save(
            gql,
            cast.superuser,
            listener("127.0.0.1", 8080, purpose="CRASH_INGEST"),
            listener("127.0.0.1", 8080),
        )
    ).payload("updateListeners")
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "listeners[1].port"


async def test_a_wildcard_address_clashes_with_any_address_of_its_family_on_that_port(
    gql, cast: Cast
):
    clash = (
        await save(gql, cast.superuser, listener("0.0.0.0", 8080), listener("10.1.2.3", 8080))
    ).payload("updateListeners")
    assert clash["__typename"] == "ValidationError"
    other_family = (
        await save(gql, cast.superuser, listener("0.0.0.0", 8080), listener("::1", 8080))
    ).payload("updateListeners")
    assert other_family["__typename"] == "ListenersPayload"


async def test_the_same_port_on_two_addresses_and_two_ports_on_one_address_are_fine(
    gql, cast: Cast
):
    result = (
        await save(
            gql,
            cast.superuser,
            listener("127.0.0.1", 8080),
            listener("127.0.0.2", 8080),
            listener("127.0.0.1", 8081),
        )
    ).payload("updateListeners")
    assert len(result["listeners"]) == 3


async def test_one_bad_listener_saves_none_of_them(gql, cast: Cast):
    await save(gql, cast.superuser, listener(port=7000))
    result = (
        await save(
            gql, cast.superuser, listener(port=8080), listener(port=8081), listener("nope", 8082)
        )
    ).payload("updateListeners")
    assert result["__typename"] == "ValidationError"
    assert [entry["port"] for entry in await stored()] == [7000]


async def test_tls_is_refused_while_no_certificate_is_stored(gql, cast: Cast):
    result = (
        await save(gql, cast.superuser, listener(port=8080), listener(port=8443, tls=True))
    ).payload("updateListeners")
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "listeners[1].tls"
    assert await stored() == []


async def test_tls_is_refused_while_ssl_is_disabled(gql, cast: Cast):
    pem = certs.self_signed()
    await gql(
        UPDATE_SSL,
        {
            "input": {
                "enabled": False,
                "certificate": pem.certificate,
                "privateKey": pem.private_key,
            }
        },
        as_=cast.superuser,
    )
    result = (await save(gql, cast.superuser, listener(port=8443, tls=True))).payload(
        "updateListeners"
    )
    assert result["__typename"] == "ValidationError"


async def test_tls_is_accepted_once_a_certificate_is_stored_and_enabled(gql, cast: Cast):
    pem = certs.self_signed()
    ssl = await gql(
        UPDATE_SSL,
        {"input": {"enabled": True, "certificate": pem.certificate, "privateKey": pem.private_key}},
        as_=cast.superuser,
    )
    assert ssl.payload("updateSslSettings")["__typename"] == "SslSettingsPayload"
    result = (await save(gql, cast.superuser, listener(port=8443, tls=True))).payload(
        "updateListeners"
    )
    assert result["listeners"][0]["tls"] is True


async def test_saving_listeners_writes_an_audit_event(gql, cast: Cast):
    await save(gql, cast.superuser, listener(port=8080))
    event = await AuditEvent.get(action="settings.listeners_updated")
    assert event.actor_id == cast.superuser.user.id  # type: ignore[attr-defined]
    assert event.changes == {
        "listeners": [
            {"purpose": "user_requests", "address": "127.0.0.1", "port": 8080, "tls": False}
        ]
    }


@pytest.mark.parametrize("role", ["guest", "member", "admin", "other_admin"])
async def test_only_superusers_may_change_listeners(gql, cast: Cast, role: str):
    result = await save(gql, cast.by_role(role), listener(port=8080))
    assert result.codes == ["FORBIDDEN"]
    assert await stored() == []


async def test_anonymous_callers_must_sign_in_to_change_listeners(gql, cast: Cast):
    result = await save(gql, None, listener(port=8080))
    assert result.codes == ["UNAUTHENTICATED"]


async def test_instance_settings_list_the_stored_listeners(gql, cast: Cast):
    await save(
        gql,
        cast.superuser,
        listener("::", 6097, purpose="CRASH_INGEST"),
        listener("127.0.0.1", 8080),
    )
    result = await gql(
        "{ instanceSettings { listeners { purpose address port tls } } }", as_=cast.superuser
    )
    assert result.ok()["instanceSettings"]["listeners"] == [
        {"purpose": "CRASH_INGEST", "address": "::", "port": 6097, "tls": False},
        {"purpose": "USER_REQUESTS", "address": "127.0.0.1", "port": 8080, "tls": False},
    ]


async def test_with_nothing_saved_instance_settings_list_no_listeners(gql, cast: Cast):
    result = await gql(
        "{ instanceSettings { listeners { port } ssl { enabled } } }", as_=cast.superuser
    )
    assert result.ok()["instanceSettings"] == {"listeners": [], "ssl": {"enabled": False}}


@pytest.mark.postgres
async def test_disabling_ssl_and_adding_a_tls_listener_at_once_never_leave_tls_without_ssl(
    gql, cast: Cast
):
    import asyncio

    pem = certs.self_signed()
    for _ in range(5):
        await gql(
            UPDATE_SSL,
            {
                "input": {
                    "enabled": True,
                    "certificate": pem.certificate,
                    "privateKey": pem.private_key,
                }
            },
            as_=cast.superuser,
        )
        await save(gql, cast.superuser)
        await asyncio.gather(
            gql(UPDATE_SSL, {"input": {"enabled": False}}, as_=cast.superuser),
            save(gql, cast.superuser, listener(port=8443, tls=True)),
        )
        row = await InstanceSettings.get(id=1)
        assert row.ssl_enabled or not any(entry["tls"] for entry in row.listeners)


async def test_more_than_64_listeners_are_refused_and_nothing_changes(gql, cast: Cast):
    await save(gql, cast.superuser, listener(port=8080))
    many = [listener(port=9000 + n) for n in range(65)]
    result = (await save(gql, cast.superuser, *many)).payload("updateListeners")
    assert (result["__typename"], result["field"]) == ("ValidationError", "listeners")
    assert [entry["port"] for entry in await stored()] == [8080]
