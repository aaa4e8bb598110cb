"""No string the API stores holds a control character (issue 11, item 6): every setting and
name refuses them with a ValidationError naming the field, and nothing is stored. Invisible
formatting characters (bidi overrides, zero-width, line separators) are refused alike, except
in secrets, which nobody reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from models import InstanceSettings, Project, SamlSettings, SignupDomain, Tenant
from tests.factories import Cast
from tests.saml.idp import new_key_pair
from tests.settings.certs import self_signed

CONTROLS = {
    "NUL": "\x00",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "NEL (C1)": "\x85",
    "CSI (C1)": "\x9b",
    "tab": "\t",
}
INVISIBLE = {
    "right-to-left override": "\u202e",
    "zero-width space": "\u200b",
    "line separator": "\u2028",
}
SAML_CERT = new_key_pair("IdP of acme").cert_pem
SSL = self_signed()


def inside(value: str, bad: str) -> str:
    middle = len(value) // 2
    return value[:middle] + bad + value[middle:]


@dataclass(frozen=True)
class Setting:
    """One string a mutation stores: how to send it, where the answer is, how to look for it."""

    mutation: str
    result: str  # the mutation's field in the answer
    field: str  # the field the ValidationError must name
    variables: Callable[[str], dict[str, Any]]  # the whole input, with this string as given
    good: str
    stored: Callable[[], Awaitable[bool]]  # did anything get stored?
    caller: str = "superuser"
    multiline: bool = False  # PEM: tabs and line breaks are part of the format
    secret: bool = False  # never shown: only controls are refused


def smtp_input(**changes: str) -> dict[str, Any]:
    values = {"host": "smtp.example.com", "port": 587, "security": "STARTTLS",
              "username": "mailer", "password": "a mail password", "fromAddress":
              "noreply@example.com"}  # fmt: skip
    return {"input": {**values, **changes}}


async def smtp_stored() -> bool:
    row = await InstanceSettings.get_or_none(id=1)
    return row is not None and row.smtp_saved


def saml_input(tenant_id: str, **changes: str) -> dict[str, Any]:
    values = {"tenantId": tenant_id, "enabled": True, "idpEntityId": "https://idp.example/acme",
              "idpSsoUrl": "https://idp.example/acme/sso", "idpCertificate": SAML_CERT}  # fmt: skip
    return {"input": {**values, **changes}}


async def ssl_stored() -> bool:
    row = await InstanceSettings.get_or_none(id=1)
    return row is not None and row.ssl_certificate is not None


UPDATE_SMTP = """mutation($input: SmtpSettingsInput!) {
  updateSmtpSettings(input: $input) { __typename ... on ValidationError { message field } } }"""
UPDATE_SAML = """mutation($input: SamlSettingsInput!) {
  updateSamlSettings(input: $input) { __typename ... on ValidationError { message field } } }"""
UPDATE_SSL = """mutation($input: SslSettingsInput!) {
  updateSslSettings(input: $input) { __typename ... on ValidationError { message field } } }"""
UPDATE_LISTENERS = """mutation($l: [ListenerInput!]!) {
  updateListeners(listeners: $l) { __typename ... on ValidationError { message field } } }"""
CREATE_TENANT = """mutation($name: String!) {
  createTenant(name: $name) { __typename ... on ValidationError { message field } } }"""
ADD_DOMAIN = """mutation($input: SignupDomainInput!) {
  addSignupDomain(input: $input) { __typename ... on ValidationError { message field } } }"""
CREATE_PROJECT = """mutation($name: String!) {
  createProject(name: $name) { __typename ... on ValidationError { message field } } }"""


def settings(tenant_id: str) -> dict[str, Setting]:
    return {
        "SMTP host": Setting(
            UPDATE_SMTP, "updateSmtpSettings", "host",
            lambda v: smtp_input(host=v), "smtp.example.com", smtp_stored,
        ),
        "SMTP username": Setting(
            UPDATE_SMTP, "updateSmtpSettings", "username",
            lambda v: smtp_input(username=v), "mailer", smtp_stored,
        ),
        "SMTP password": Setting(
            UPDATE_SMTP, "updateSmtpSettings", "password",
            lambda v: smtp_input(password=v), "a mail password", smtp_stored, secret=True,
        ),
        "SMTP from address": Setting(
            UPDATE_SMTP, "updateSmtpSettings", "fromAddress",
            lambda v: smtp_input(fromAddress=v), "noreply@example.com", smtp_stored,
        ),
        "SAML entity ID": Setting(
            UPDATE_SAML, "updateSamlSettings", "idpEntityId",
            lambda v: saml_input(tenant_id, idpEntityId=v), "https://idp.example/acme",
            SamlSettings.exists,
        ),
        "SAML SSO URL": Setting(
            UPDATE_SAML, "updateSamlSettings", "idpSsoUrl",
            lambda v: saml_input(tenant_id, idpSsoUrl=v), "https://idp.example/acme/sso",
            SamlSettings.exists,
        ),
        "SAML certificate": Setting(
            UPDATE_SAML, "updateSamlSettings", "idpCertificate",
            lambda v: saml_input(tenant_id, idpCertificate=v), SAML_CERT,
            SamlSettings.exists, multiline=True,
        ),
        "SSL certificate": Setting(
            UPDATE_SSL, "updateSslSettings", "certificate",
            lambda v: {"input": {"enabled": True, "certificate": v,
                                 "privateKey": SSL.private_key}},
            SSL.certificate, ssl_stored, multiline=True,
        ),
        "SSL private key": Setting(
            UPDATE_SSL, "updateSslSettings", "privateKey",
            lambda v: {"input": {"enabled": True, "certificate": SSL.certificate,
                                 "privateKey": v}},
            SSL.private_key, ssl_stored, multiline=True,
        ),
        "listener address": Setting(
            UPDATE_LISTENERS, "updateListeners", "listeners[0].address",
            lambda v: {"l": [{"purpose": "USER_REQUESTS", "address": v, "port": 8080,
                              "tls": False}]},
            "127.0.0.1", listeners_stored,
        ),
        "tenant name": Setting(
            CREATE_TENANT, "createTenant", "name",
            lambda v: {"name": v}, "initech", new_tenant_stored,
        ),
        "sign-up domain": Setting(
            ADD_DOMAIN, "addSignupDomain", "domain",
            lambda v: {"input": {"domain": v, "defaultRole": "GUEST"}}, "example.org",
            SignupDomain.exists, caller="admin",
        ),
        "project name": Setting(
            CREATE_PROJECT, "createProject", "name",
            lambda v: {"name": v}, "billing", Project.exists, caller="member",
        ),
    }  # fmt: skip


async def new_tenant_stored() -> bool:
    return await Tenant.exists(name__not_in=["acme", "globex"])


async def listeners_stored() -> bool:
    row = await InstanceSettings.get_or_none(id=1)
    return bool(row and row.listeners)


NAMES = list(settings("").keys())


def bad_values(setting: Setting) -> dict[str, str]:
    controls = {k: v for k, v in CONTROLS.items() if not (setting.multiline and v == "\t")}
    values = {name: inside(setting.good, bad) for name, bad in controls.items()}
    if not setting.multiline:
        # Where a trim would have quietly dropped it: still refused, not cleaned up.
        values["trailing line feed"] = setting.good + "\n"
    else:
        # Beyond the PEM block, where a parser stops reading.
        values["NUL after the PEM block"] = setting.good + "\x00"
    if not setting.secret:
        values.update({name: inside(setting.good, bad) for name, bad in INVISIBLE.items()})
    return values


CASES = [
    (name, kind)
    for name in NAMES
    for kind in bad_values(settings("")[name])
]  # fmt: skip


async def send(gql, cast: Cast, setting: Setting, value: str) -> dict[str, Any]:
    result = await gql(setting.mutation, setting.variables(value), as_=cast.by_role(setting.caller))
    return result.payload(setting.result)


@pytest.mark.parametrize(("name", "kind"), CASES, ids=[f"{n}: {k}" for n, k in CASES])
async def test_a_setting_refuses_control_characters_naming_the_field(gql, cast: Cast, name, kind):
    setting = settings(str(cast.tenant_a.id))[name]
    answer = await send(gql, cast, setting, bad_values(setting)[kind])
    assert answer["__typename"] == "ValidationError", answer
    assert answer["field"] == setting.field
    assert "control characters" in answer["message"] or setting.field == "certificate"
    assert not await setting.stored()


@pytest.mark.parametrize("name", NAMES)
async def test_the_same_setting_without_them_is_stored(gql, cast: Cast, name):
    setting = settings(str(cast.tenant_a.id))[name]
    answer = await send(gql, cast, setting, setting.good)
    assert answer["__typename"] != "ValidationError", answer
    assert await setting.stored()


@pytest.mark.parametrize("bad", ["\u202e", "\u200b"], ids=["bidi override", "zero-width space"])
async def test_an_smtp_password_may_hold_invisible_characters(gql, cast: Cast, bad):
    """A secret is never shown, so nothing can mislead a reader; it must match the server's."""
    answer = await gql(UPDATE_SMTP, smtp_input(password=f"pass{bad}word"), as_=cast.superuser)
    assert answer.payload("updateSmtpSettings")["__typename"] == "SmtpSettingsPayload"


@pytest.mark.parametrize("zone", ["eth\x000", "eth0\x1b", "\u202eeth0"])
async def test_an_ipv6_zone_cannot_smuggle_control_characters(gql, cast: Cast, zone):
    variables = {"l": [{"purpose": "USER_REQUESTS", "address": f"fe80::1%{zone}", "port": 8080,
                        "tls": False}]}  # fmt: skip
    answer = (await gql(UPDATE_LISTENERS, variables, as_=cast.superuser)).payload("updateListeners")
    assert (answer["__typename"], answer["field"]) == ("ValidationError", "listeners[0].address")
    assert not await listeners_stored()


@pytest.mark.parametrize("subject", ["evil\x1b[31m", "a\u202etxt.exe", "line\nbreak"])
async def test_a_certificate_whose_subject_holds_control_characters_is_refused(
    gql, cast: Cast, subject
):
    pem = self_signed(subject)
    variables = {"input": {"enabled": True, "certificate": pem.certificate,
                           "privateKey": pem.private_key}}  # fmt: skip
    answer = (await gql(UPDATE_SSL, variables, as_=cast.superuser)).payload("updateSslSettings")
    assert (answer["__typename"], answer["field"]) == ("ValidationError", "certificate")
    assert not await ssl_stored()
