"""No query result, log line or error message contains a secret: the SMTP password, the SSL
private key, a password, a session token or an API token.

Every log record of every logger is captured at DEBUG (Tortoise's SQL with its parameters
included) while operations that handle each secret run, succeed and fail."""

from __future__ import annotations

import logging

import pytest

from tests.factories import DEFAULT_PASSWORD, Cast, Factory
from tests.settings import certs

SMTP_PASSWORD = "smtp-Pa55word-that-must-stay-hidden"

LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) { __typename ... on LoginSuccess { sessionToken } ... on Error { message } }
}
"""
UPDATE_SSL = """
mutation($input: SslSettingsInput!) {
  updateSslSettings(input: $input) {
    __typename ... on SslSettingsPayload { ssl { enabled certificateSubject } }
    ... on ValidationError { message field }
  }
}
"""
UPDATE_SMTP = """
mutation($input: SmtpSettingsInput!) {
  updateSmtpSettings(input: $input) {
    __typename ... on SmtpSettingsPayload { smtp { host username passwordSet } }
    ... on ValidationError { message field }
  }
}
"""
SETTINGS = """
{ instanceSettings { smtp { host port security username passwordSet fromAddress }
                     ssl { enabled certificateSubject certificateNotAfter }
                     listeners { purpose address port tls } } }
"""
AUDIT = """
{ auditLog(first: 100) { edges { node { action targetType targetId actorName changedFields
                                        actor { username email } } } } }
"""
ME = "{ me { username email ownedTokens { name prefix } } }"


def key_fragments(pem: str) -> list[str]:
    """Pieces of the key's base64 body: none may appear anywhere."""
    body = "".join(pem.strip().splitlines()[1:-1])
    return [body[i : i + 24] for i in range(0, len(body) - 24, 24)]


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in ("tortoise", "tortoise.db_client", "tenantry", "strawberry", "uvicorn"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


async def test_no_response_log_line_or_error_message_contains_a_secret(
    gql, make: Factory, cast: Cast, all_logs: pytest.LogCaptureFixture
):
    pem = certs.self_signed("secret-test.example.com")
    mismatched_key = certs.other_key()
    _, api_secret = await make.api_token(cast.member_a.user, "ci")
    responses: list[str] = []

    async def call(query, variables=None, **kwargs):
        result = await gql(query, variables, **kwargs)
        responses.append(result.response.text)
        return result

    # A password sign-in: its own response carries the new session token, by design only there.
    login = await gql(
        LOGIN, {"input": {"tenant": "acme", "username": "alice", "password": DEFAULT_PASSWORD}}
    )
    session = login.payload("login")["sessionToken"]
    await call(
        LOGIN,
        {"input": {"tenant": "acme", "username": "alice", "password": "wrong-" + DEFAULT_PASSWORD}},
    )
    await call(ME, token=session)
    await call(ME, token=api_secret)
    await call(ME, token=api_secret + "x")  # a wrong token is refused without being echoed

    # The SSL key: accepted, refused as mismatched, refused as garbage.
    ok = await call(
        UPDATE_SSL,
        {"input": {"enabled": True, "certificate": pem.certificate, "privateKey": pem.private_key}},
        as_=cast.superuser,
    )
    assert ok.payload("updateSslSettings")["__typename"] == "SslSettingsPayload"
    bad = await call(
        UPDATE_SSL,
        {"input": {"enabled": True, "certificate": pem.certificate, "privateKey": mismatched_key}},
        as_=cast.superuser,
    )
    assert bad.payload("updateSslSettings")["__typename"] == "ValidationError"
    await call(
        UPDATE_SSL,
        {
            "input": {
                "enabled": True,
                "certificate": pem.certificate,
                "privateKey": pem.private_key[:200],
            }
        },
        as_=cast.superuser,
    )
    # A forbidden caller's attempt is not echoed either.
    await call(
        UPDATE_SSL,
        {"input": {"enabled": True, "certificate": pem.certificate, "privateKey": pem.private_key}},
        as_=cast.admin_a,
    )

    # The SMTP password: saved, then a refused save that carries it.
    smtp = {
        "host": "smtp.example.com",
        "port": 587,
        "security": "STARTTLS",
        "username": "mailer",
        "password": SMTP_PASSWORD,
        "fromAddress": "noreply@example.com",
    }
    saved = await call(UPDATE_SMTP, {"input": smtp}, as_=cast.superuser)
    assert saved.payload("updateSmtpSettings")["__typename"] == "SmtpSettingsPayload"
    refused = await call(
        UPDATE_SMTP, {"input": {**smtp, "port": 0, "host": "bad host!"}}, as_=cast.superuser
    )
    assert refused.payload("updateSmtpSettings")["__typename"] == "ValidationError"

    # Everything that can be read back.
    settings = await call(SETTINGS, as_=cast.superuser)
    assert settings.ok()["instanceSettings"]["smtp"]["passwordSet"] is True
    assert settings.ok()["instanceSettings"]["ssl"]["enabled"] is True
    await call(AUDIT, as_=cast.superuser)
    await call(AUDIT, as_=cast.admin_a)

    secrets = {
        "SMTP password": [SMTP_PASSWORD],
        "private key": key_fragments(pem.private_key),
        "mismatched private key": key_fragments(mismatched_key),
        "user password": [DEFAULT_PASSWORD],
        "session token": [session, cast.superuser.token, cast.admin_a.token],
        "API token": [api_secret],
    }
    logs = all_logs.text + "\n".join(
        f"{record.getMessage()} {record.args!r} {record.__dict__!r}" for record in all_logs.records
    )
    assert "tortoise.db_client" in {r.name for r in all_logs.records}, "SQL was not captured"
    # The SQL parameters are in the captured text: what is stored is the ciphertext only.
    from models import InstanceSettings

    row = await InstanceSettings.get(id=1)
    assert row.ssl_private_key_encrypted and row.ssl_private_key_encrypted in logs
    for name, values in secrets.items():
        for value in values:
            for index, text in enumerate(responses):
                assert value not in text, f"{name} in response #{index}"
            assert value not in logs, f"{name} in the logs"
