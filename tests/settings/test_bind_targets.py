"""Where `serve` binds, read from the stored settings (the process test runs the real thing)."""

from __future__ import annotations

import os
from pathlib import Path

from domain.instance_row import read_instance_row
from tests.factories import Cast
from tests.settings import certs
from web.listeners import BindTarget, targets_from

UPDATE_SSL = """
mutation($input: SslSettingsInput!) { updateSslSettings(input: $input) { __typename } }
"""
UPDATE = """
mutation($l: [ListenerInput!]!) { updateListeners(listeners: $l) { __typename } }
"""


async def test_with_nothing_stored_serve_binds_127_0_0_1_port_8000(app):
    assert targets_from(await read_instance_row(), None, None) == [BindTarget("127.0.0.1", 8000)]


async def test_host_and_port_given_win_over_stored_listeners(gql, cast: Cast):
    await gql(
        UPDATE,
        {"l": [{"purpose": "USER_REQUESTS", "address": "127.0.0.1", "port": 9001, "tls": False}]},
        as_=cast.superuser,
    )
    row = await read_instance_row()
    assert targets_from(row, None, 7000) == [BindTarget("127.0.0.1", 7000)]
    assert targets_from(row, "0.0.0.0", None) == [BindTarget("0.0.0.0", 8000)]


async def test_only_user_request_listeners_are_bound_by_serve(gql, cast: Cast):
    await gql(
        UPDATE,
        {
            "l": [
                {"purpose": "CRASH_INGEST", "address": "0.0.0.0", "port": 6097, "tls": False},
                {"purpose": "USER_REQUESTS", "address": "127.0.0.1", "port": 9001, "tls": False},
                {"purpose": "USER_REQUESTS", "address": "::1", "port": 9002, "tls": False},
            ]
        },
        as_=cast.superuser,
    )
    targets = targets_from(await read_instance_row(), None, None)
    assert targets == [BindTarget("127.0.0.1", 9001), BindTarget("::1", 9002)]
    assert [t.url for t in targets] == ["http://127.0.0.1:9001", "http://[::1]:9002"]


async def test_only_crash_listeners_stored_falls_back_to_the_default(gql, cast: Cast):
    await gql(
        UPDATE,
        {"l": [{"purpose": "CRASH_INGEST", "address": "0.0.0.0", "port": 6097, "tls": False}]},
        as_=cast.superuser,
    )
    assert targets_from(await read_instance_row(), None, None) == [BindTarget("127.0.0.1", 8000)]


async def test_tls_listeners_get_the_stored_certificate_in_files_only_the_owner_reads(
    gql, cast: Cast
):
    pem = certs.self_signed()
    await gql(
        UPDATE_SSL,
        {"input": {"enabled": True, "certificate": pem.certificate, "privateKey": pem.private_key}},
        as_=cast.superuser,
    )
    await gql(
        UPDATE,
        {
            "l": [
                {"purpose": "USER_REQUESTS", "address": "127.0.0.1", "port": 9443, "tls": True},
                {"purpose": "USER_REQUESTS", "address": "127.0.0.1", "port": 9080, "tls": False},
            ]
        },
        as_=cast.superuser,
    )
    secure, plain = targets_from(await read_instance_row(), None, None)
    assert plain.ssl == {} and plain.url == "http://127.0.0.1:9080"
    assert secure.url == "https://127.0.0.1:9443"
    certfile, keyfile = Path(secure.ssl["ssl_certfile"]), Path(secure.ssl["ssl_keyfile"])
    try:
        assert certfile.read_text() == pem.certificate  # noqa: ASYNC240
        assert "PRIVATE KEY" in keyfile.read_text()  # noqa: ASYNC240
        assert keyfile.stat().st_mode & 0o777 == 0o600  # noqa: ASYNC240
        assert secure.uvicorn_kwargs() == {
            "host": "127.0.0.1",
            "port": 9443,
            "ssl_certfile": str(certfile),
            "ssl_keyfile": str(keyfile),
        }
    finally:
        os.unlink(certfile)
        os.unlink(keyfile)


async def test_an_explicit_port_serves_https_when_ssl_is_enabled(gql, cast: Cast):
    pem = certs.self_signed()
    await gql(
        UPDATE_SSL,
        {"input": {"enabled": True, "certificate": pem.certificate, "privateKey": pem.private_key}},
        as_=cast.superuser,
    )
    (target,) = targets_from(await read_instance_row(), None, 7443)
    try:
        assert target.url == "https://127.0.0.1:7443"
    finally:
        for path in target.ssl.values():
            os.unlink(path)


async def test_an_explicit_port_serves_http_when_ssl_is_disabled(gql, cast: Cast):
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
    assert targets_from(await read_instance_row(), None, 7443) == [BindTarget("127.0.0.1", 7443)]
