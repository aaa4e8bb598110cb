"""Server-side request forgery: a hook never reaches loopback, private or link-local addresses
unless the instance allows private ones, checked at creation and again at each delivery (a DNS
name that flips to 127.0.0.1 afterwards is refused then), and the request goes to the address
that was checked."""

from __future__ import annotations

import asyncio

import pytest

from models import DeliveryStatus, Webhook, WebhookDelivery
from tests.users.queries import UPDATE_USER
from tests.webhooks.conftest import with_settings
from tests.webhooks.queries import CREATE, TEST

PUBLIC = "93.184.216.34"  # a public address; nothing is sent there in these tests


async def create(gql, cast, url: str) -> dict:
    variables = {"input": {"url": url, "events": ["webhook.test", "user.updated"],
                           "tenantId": str(cast.tenant_a.id)}}  # fmt: skip
    return (await gql(CREATE, variables, as_=cast.admin_a)).payload("createWebhook")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://127.1/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fc00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        # IPv6 forms that carry a private IPv4 address (compatible, SIIT, NAT64, 6to4), and
        # site-local: Python calls several of them global.
        "http://[::127.0.0.1]/hook",
        "http://[::ffff:0:a00:5]/hook",
        "http://[64:ff9b::10.0.0.5]/hook",
        "http://[64:ff9b:1::a00:5]/hook",
        "http://[2002:7f00:1::]/hook",
        "http://[fec0::1]/hook",
    ],
)
async def test_private_and_loopback_addresses_are_refused_by_default(gql, cast, url):
    with with_settings(webhook_allow_private=False):
        created = await create(gql, cast, url)
    assert created["__typename"] == "ValidationError", created
    assert created["field"] == "url"
    assert await Webhook.all().count() == 0


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/hook",
     "http://[fd00:ec2::254]/hook", "http://224.0.0.1/hook",
     "http://[64:ff9b::169.254.169.254]/latest/meta-data/", "http://[::169.254.169.254]/"],
)  # fmt: skip
async def test_link_local_and_metadata_addresses_are_refused_even_when_private_ones_are_allowed(
    gql, cast, url
):
    created = await create(gql, cast, url)
    assert created["__typename"] == "ValidationError", created
    assert "may not reach" in created["message"]


async def test_a_name_resolving_to_loopback_is_refused_at_creation(gql, cast, dns_zone):
    dns_zone.point("hooks.example.test", "127.0.0.1")
    with with_settings(webhook_allow_private=False):
        created = await create(gql, cast, "http://hooks.example.test/x")
    assert created["__typename"] == "ValidationError"
    assert "loopback" in created["message"]


async def test_a_name_with_one_private_address_among_public_ones_is_refused(gql, cast, dns_zone):
    dns_zone.point("hooks.example.test", PUBLIC, "10.0.0.7")
    with with_settings(webhook_allow_private=False):
        created = await create(gql, cast, "http://hooks.example.test/x")
    assert created["__typename"] == "ValidationError"


async def test_a_name_that_does_not_resolve_is_refused(gql, cast, dns_zone):
    created = await create(gql, cast, "http://nowhere.example.test/x")
    assert created["__typename"] == "ValidationError"
    assert "does not resolve" in created["message"]


async def test_a_name_that_flips_to_loopback_after_creation_is_refused_at_delivery(
    gql, cast, dns_zone, receiver
):
    dns_zone.point("hooks.example.test", PUBLIC)
    with with_settings(webhook_allow_private=False):
        url = f"http://hooks.example.test:{receiver.port}/hooks"
        created = await create(gql, cast, url)
        assert created["__typename"] == "CreateWebhookSuccess", created
        # DNS rebinding: the name now answers the receiver's own loopback address.
        dns_zone.point("hooks.example.test", "127.0.0.1")
        sent = await gql(TEST, {"id": created["webhook"]["id"]}, as_=cast.admin_a)
        assert sent.payload("testWebhook")["__typename"] == "WebhookDeliveryPayload"
        row = await _attempted()
    assert receiver.requests == []
    assert row.status is DeliveryStatus.PENDING
    assert "loopback" in row.last_error
    assert row.response_status is None


async def test_the_request_goes_to_the_checked_address_with_the_names_host_header(
    gql, cast, dns_zone, receiver
):
    dns_zone.point("hooks.example.test", "127.0.0.1")
    # (dns_zone set the session's settings again: private addresses allowed once more.)
    with with_settings(webhook_allow_private=True):
        created = await create(gql, cast, f"http://hooks.example.test:{receiver.port}/hooks?x=1")
        assert created["__typename"] == "CreateWebhookSuccess", created
        answer = await gql(UPDATE_USER, {"input": {"id": cast.member_a.id, "role": "GUEST"}},
                           as_=cast.admin_a)  # fmt: skip
        assert answer.payload("updateUser")["__typename"] == "UserPayload"
        (received,) = await receiver.wait_for(1)
    assert received.headers["host"] == f"hooks.example.test:{receiver.port}"
    assert received.path == "/hooks?x=1"
    received.verified(created["secret"])


async def _attempted() -> WebhookDelivery:
    for _ in range(200):
        row = await WebhookDelivery.first()
        if row is not None and row.attempts and row.claimed_until is None:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError("never attempted")


async def test_an_https_receiver_that_speaks_no_tls_fails_the_attempt_with_a_reason(
    gql, cast, receiver
):
    created = await create(gql, cast, f"https://127.0.0.1:{receiver.port}/hooks")
    assert created["__typename"] == "CreateWebhookSuccess", created
    await gql(TEST, {"id": created["webhook"]["id"]}, as_=cast.admin_a)
    row = await _attempted()
    assert row.status is DeliveryStatus.PENDING
    assert row.last_error.startswith("Could not connect")
    assert row.response_status is None


@pytest.mark.parametrize(
    "url", ["http://[2606:4700:4700::1111]/hook", "http://[2002:808:808::]/hook", "http://8.8.8.8/"]
)
async def test_public_addresses_are_accepted(gql, cast, url):
    with with_settings(webhook_allow_private=False):
        created = await create(gql, cast, url)
    assert created["__typename"] == "CreateWebhookSuccess", created
