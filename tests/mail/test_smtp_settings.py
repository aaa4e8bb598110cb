"""SMTP settings: superusers only, validated, the password write-only and encrypted at rest."""

from __future__ import annotations

import pytest

import config as config_module
from domain.secrets import decrypt
from domain.smtp_settings import current_server
from models import AuditEvent, InstanceSettings, SmtpSecurity
from tests.smtp_server import SmtpServer, text_of

SETTINGS = "{ instanceSettings { smtp { host port security username passwordSet fromAddress } } }"
WHOLE = "{ instanceSettings { smtp { host } ssl { enabled } listeners { port } } }"
UPDATE = """
mutation($input: SmtpSettingsInput!) {
  updateSmtpSettings(input: $input) {
    __typename
    ... on SmtpSettingsPayload { smtp { host port security username passwordSet fromAddress } }
    ... on ValidationError { message field }
  }
}
"""
TEST_MAIL = """
mutation($to: String!) {
  sendTestEmail(to: $to) {
    __typename
    ... on SendTestEmailSuccess { ok }
    ... on ValidationError { field }
    ... on Error { message }
  }
}
"""
SECRET = "smtp-pass-Zq81"


def settings(port: int = 2525, **more) -> dict:
    return {
        "input": {
            "host": "127.0.0.1",
            "port": port,
            "security": "NONE",
            "username": "mailer",
            "password": SECRET,
            "fromAddress": "tenantry@tenantry.test",
            **more,
        }
    }


async def save(gql, person, variables) -> dict:
    return (await gql(UPDATE, variables, as_=person)).payload("updateSmtpSettings")


async def test_nothing_is_configured_at_first(gql, cast):
    smtp = (await gql(SETTINGS, as_=cast.superuser)).ok()["instanceSettings"]["smtp"]
    assert smtp == {"host": None, "port": None, "security": "NONE", "username": None,
                    "passwordSet": False, "fromAddress": None}  # fmt: skip
    sent = (await gql(TEST_MAIL, {"to": "root@acme.example"}, as_=cast.superuser)).payload(
        "sendTestEmail"
    )
    assert sent["__typename"] == "EmailNotConfigured"


async def test_instance_settings_also_show_ssl_and_listeners(gql, cast):
    whole = (await gql(WHOLE, as_=cast.superuser)).ok()["instanceSettings"]
    assert set(whole) == {"smtp", "ssl", "listeners"}


async def test_a_superuser_saves_settings_and_never_reads_the_password_back(gql, cast):
    saved = await save(gql, cast.superuser, settings(security="STARTTLS"))
    assert saved["smtp"] == {"host": "127.0.0.1", "port": 2525, "security": "STARTTLS",
                             "username": "mailer", "passwordSet": True,
                             "fromAddress": "tenantry@tenantry.test"}  # fmt: skip
    read = await gql(SETTINGS, as_=cast.superuser)
    assert SECRET not in read.response.text
    assert read.ok()["instanceSettings"]["smtp"] == saved["smtp"]


async def test_the_password_is_encrypted_at_rest(gql, cast):
    await save(gql, cast.superuser, settings())
    row = await InstanceSettings.get(id=1)
    assert SECRET not in (row.smtp_password_encrypted or "")
    assert decrypt(row.smtp_password_encrypted) == SECRET
    for event in await AuditEvent.filter(action="settings.smtp_updated"):
        assert SECRET not in str(event.changes)


async def test_a_left_out_password_is_kept_and_an_empty_one_clears_it(gql, cast):
    await save(gql, cast.superuser, settings())
    kept = await save(gql, cast.superuser, settings(port=2526, password=None))
    assert kept["smtp"]["passwordSet"] is True
    assert (await current_server()).password == SECRET
    cleared = await save(gql, cast.superuser, settings(password=""))
    assert cleared["smtp"]["passwordSet"] is False
    assert (await current_server()).password is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"port": 0}, "port"),
        ({"port": 65536}, "port"),
        ({"host": ""}, "host"),
        ({"host": "smtp example"}, "host"),
        ({"host": "user@smtp.example"}, "host"),
        ({"fromAddress": "not an address"}, "fromAddress"),
    ],
)
async def test_invalid_settings_are_refused(gql, cast, overrides, field):
    refused = await save(gql, cast.superuser, settings(**overrides))
    assert (refused["__typename"], refused["field"]) == ("ValidationError", field)
    assert not await InstanceSettings.filter(smtp_saved=True).exists()


async def test_an_unknown_security_is_a_graphql_error(gql, cast):
    result = await gql(UPDATE, settings(security="SSLV2"), as_=cast.superuser)
    assert result.errors


@pytest.mark.parametrize("role", ["guest", "member", "admin", "other_admin"])
async def test_only_superusers_see_or_change_smtp(gql, cast, role):
    person = cast.by_role(role)
    assert (await gql(SETTINGS, as_=person)).codes == ["FORBIDDEN"]
    assert (await gql(UPDATE, settings(), as_=person)).codes == ["FORBIDDEN"]
    assert (await gql(TEST_MAIL, {"to": "a@b.example"}, as_=person)).codes == ["FORBIDDEN"]
    assert not await InstanceSettings.filter(smtp_saved=True).exists()


async def test_anonymous_callers_are_unauthenticated(gql, cast):
    assert (await gql(SETTINGS)).codes == ["UNAUTHENTICATED"]
    assert (await gql(UPDATE, settings())).codes == ["UNAUTHENTICATED"]
    assert (await gql(TEST_MAIL, {"to": "a@b.example"})).codes == ["UNAUTHENTICATED"]


async def test_saving_is_audited(gql, cast):
    await save(gql, cast.superuser, settings())
    event = await AuditEvent.get(action="settings.smtp_updated")
    assert event.actor_name == "root"
    assert event.changes["host"] == "127.0.0.1" and event.changes["password"] == "<set>"


async def test_a_test_mail_reaches_the_server(gql, cast):
    server = SmtpServer().start()
    try:
        await save(gql, cast.superuser, settings(port=server.port, username=None, password=None))
        sent = (await gql(TEST_MAIL, {"to": "root@acme.example"}, as_=cast.superuser)).payload(
            "sendTestEmail"
        )
        assert sent == {"__typename": "SendTestEmailSuccess", "ok": True}
        [message] = server.messages
        assert message["To"] == "root@acme.example"
        assert "http://tenantry.test" in text_of(message)
        assert message["Message-ID"].endswith("@tenantry.test>")
    finally:
        server.stop()


async def test_a_test_mail_to_a_dead_server_answers_with_the_reason(gql, cast):
    dead = SmtpServer()  # never started
    await save(gql, cast.superuser, settings(port=dead.port))
    sent = (await gql(TEST_MAIL, {"to": "root@acme.example"}, as_=cast.superuser)).payload(
        "sendTestEmail"
    )
    assert sent["__typename"] == "EmailDeliveryFailed"
    assert "Could not reach the SMTP server" in sent["message"]
    assert SECRET not in sent["message"]


async def test_a_test_mail_needs_a_valid_address(gql, cast, smtp):
    sent = (await gql(TEST_MAIL, {"to": "nobody"}, as_=cast.superuser)).payload("sendTestEmail")
    assert (sent["__typename"], sent["field"]) == ("ValidationError", "to")


async def test_the_smtp_url_bootstraps_until_settings_are_saved(gql, cast, config):
    bootstrapped = config.model_copy(
        update={"smtp_url": "smtp://boot%40x.example:p%40ss@mail.example:2587?security=starttls"}
    )
    config_module.configure(bootstrapped)
    try:
        server = await current_server()
        assert (server.host, server.port, server.security) == (
            "mail.example",
            2587,
            SmtpSecurity.STARTTLS,
        )
        assert (server.username, server.password) == ("boot@x.example", "p@ss")
        shown = (await gql(SETTINGS, as_=cast.superuser)).ok()["instanceSettings"]["smtp"]
        assert shown["host"] == "mail.example" and shown["passwordSet"] is True
        await save(gql, cast.superuser, settings())
        assert (await current_server()).host == "127.0.0.1"
    finally:
        config_module.configure(config)
