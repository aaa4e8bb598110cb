"""updateSslSettings: a PEM chain and its key, validated; the key write-only and encrypted."""

from __future__ import annotations

import pytest

from domain.secrets import decrypt
from models import AuditEvent, InstanceSettings
from tests.factories import Cast
from tests.settings import certs

UPDATE_SSL = """
mutation($input: SslSettingsInput!) {
  updateSslSettings(input: $input) {
    __typename
    ... on SslSettingsPayload { ssl { enabled certificateSubject certificateNotAfter } }
    ... on ValidationError { message field }
  }
}
"""


async def upload(gql, person, pem: certs.Pem | None = None, *, enabled: bool = True, **override):
    variables = {"enabled": enabled}
    if pem is not None:
        variables |= {"certificate": pem.certificate, "privateKey": pem.private_key}
    variables |= override
    return await gql(UPDATE_SSL, {"input": variables}, as_=person)


async def stored() -> InstanceSettings | None:
    return await InstanceSettings.get_or_none(id=1)


async def test_a_superuser_uploads_a_certificate_and_sees_its_subject_and_expiry(gql, cast: Cast):
    pem = certs.self_signed("tenantry.example.com")
    ssl = (await upload(gql, cast.superuser, pem)).payload("updateSslSettings")
    assert ssl["__typename"] == "SslSettingsPayload"
    assert ssl["ssl"]["enabled"] is True
    assert ssl["ssl"]["certificateSubject"] == "CN=tenantry.example.com"
    assert ssl["ssl"]["certificateNotAfter"].startswith(pem.not_after.strftime("%Y-%m-%dT%H:%M"))


async def test_the_private_key_is_stored_encrypted_and_decrypts_to_the_same_key(gql, cast: Cast):
    pem = certs.self_signed()
    await upload(gql, cast.superuser, pem)
    row = await stored()
    assert row is not None and row.ssl_private_key_encrypted
    assert "PRIVATE KEY" not in row.ssl_private_key_encrypted
    key_body = "".join(pem.private_key.strip().splitlines()[1:-1])
    assert key_body[:40] not in row.ssl_private_key_encrypted
    plain = decrypt(row.ssl_private_key_encrypted)
    assert plain is not None and "PRIVATE KEY" in plain


async def test_a_chain_is_accepted_and_the_subject_is_the_leafs(gql, cast: Cast):
    pem, _ca = certs.chained("leaf.example.com")
    ssl = (await upload(gql, cast.superuser, pem)).payload("updateSslSettings")
    assert ssl["ssl"]["certificateSubject"] == "CN=leaf.example.com"
    row = await stored()
    assert row is not None and row.ssl_certificate is not None
    assert row.ssl_certificate.count("BEGIN CERTIFICATE") == 2


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("garbage certificate", "certificate"),
        ("garbage key", "privateKey"),
        ("expired certificate", "certificate"),
        ("key of another certificate", "privateKey"),
        ("certificate without a key", "privateKey"),
        ("key without a certificate", "privateKey"),
    ],
)
async def test_a_bad_upload_is_a_validation_error_that_leaves_the_stored_settings_unchanged(
    gql, cast: Cast, case: str, field: str
):
    good = certs.self_signed("good.example.com")
    await upload(gql, cast.superuser, good)
    before = await stored()
    fresh = certs.self_signed("new.example.com")
    bad = {
        "garbage certificate": {
            "certificate": "-----BEGIN CERTIFICATE-----\nnope\n",
            "privateKey": fresh.private_key,
        },
        "garbage key": {"certificate": fresh.certificate, "privateKey": "not a key"},
        "expired certificate": {
            "certificate": certs.self_signed(expired=True).certificate,
            "privateKey": fresh.private_key,
        },
        "key of another certificate": {
            "certificate": fresh.certificate,
            "privateKey": certs.other_key(),
        },
        # Alone, each is checked against the stored other half: neither matches.
        "certificate without a key": {"certificate": fresh.certificate},
        "key without a certificate": {"privateKey": fresh.private_key},
    }[case]
    result = (await upload(gql, cast.superuser, **bad)).payload("updateSslSettings")
    assert result["__typename"] == "ValidationError"
    assert result["field"] == field
    after = await stored()
    assert after is not None and before is not None
    assert (
        after.ssl_certificate,
        after.ssl_private_key_encrypted,
        after.ssl_subject,
        after.ssl_not_after,
        after.ssl_enabled,
    ) == (
        before.ssl_certificate,
        before.ssl_private_key_encrypted,
        before.ssl_subject,
        before.ssl_not_after,
        before.ssl_enabled,
    )


async def test_the_expired_certificate_error_says_so(gql, cast: Cast):
    expired = certs.self_signed(expired=True)
    result = (await upload(gql, cast.superuser, expired)).payload("updateSslSettings")
    assert result == {
        "__typename": "ValidationError",
        "message": "The certificate has expired.",
        "field": "certificate",
    }
    assert await stored() is None or (await stored()).ssl_certificate is None  # type: ignore[union-attr]


async def test_a_mismatched_key_error_does_not_quote_the_key(gql, cast: Cast):
    pem = certs.self_signed()
    wrong = certs.other_key()
    result = await upload(gql, cast.superuser, pem, privateKey=wrong)
    assert result.payload("updateSslSettings")["field"] == "privateKey"
    assert "PRIVATE KEY" not in result.response.text
    assert wrong.splitlines()[1][:30] not in result.response.text


async def test_a_renewed_certificate_for_the_stored_key_can_be_uploaded_alone(gql, cast: Cast):
    pem = certs.self_signed("old.example.com")
    await upload(gql, cast.superuser, pem)
    # Another certificate for the same key: re-sign by building one from the stored key.
    from cryptography.hazmat.primitives import serialization

    from tests.settings.certs import _cert, _pem

    key = serialization.load_pem_private_key(pem.private_key.encode(), password=None)
    renewed = _pem(_cert("renewed.example.com", key, days=90))  # type: ignore[arg-type]
    result = (await upload(gql, cast.superuser, certificate=renewed)).payload("updateSslSettings")
    assert result["ssl"]["certificateSubject"] == "CN=renewed.example.com"


async def test_ssl_cannot_be_enabled_before_a_certificate_is_stored(gql, cast: Cast):
    result = (await upload(gql, cast.superuser, enabled=True)).payload("updateSslSettings")
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "certificate"


async def test_ssl_can_be_disabled_and_keeps_the_certificate(gql, cast: Cast):
    await upload(gql, cast.superuser, certs.self_signed("kept.example.com"))
    result = (await upload(gql, cast.superuser, enabled=False)).payload("updateSslSettings")
    assert result["ssl"] == {
        "enabled": False,
        "certificateSubject": "CN=kept.example.com",
        "certificateNotAfter": result["ssl"]["certificateNotAfter"],
    }


async def test_ssl_cannot_be_disabled_while_a_listener_uses_tls(gql, cast: Cast):
    await upload(gql, cast.superuser, certs.self_signed())
    listeners = await gql(
        "mutation($l: [ListenerInput!]!) { updateListeners(listeners: $l) { __typename } }",
        {"l": [{"purpose": "USER_REQUESTS", "address": "127.0.0.1", "port": 8443, "tls": True}]},
        as_=cast.superuser,
    )
    assert listeners.payload("updateListeners")["__typename"] == "ListenersPayload"
    result = (await upload(gql, cast.superuser, enabled=False)).payload("updateSslSettings")
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "enabled"
    assert (await stored()).ssl_enabled is True  # type: ignore[union-attr]


async def test_an_upload_writes_an_audit_event_without_the_key(gql, cast: Cast):
    pem = certs.self_signed("audited.example.com")
    await upload(gql, cast.superuser, pem)
    event = await AuditEvent.get(action="settings.ssl_updated")
    assert event.actor_id == cast.superuser.user.id  # type: ignore[attr-defined]
    assert event.changes["certificateSubject"] == "CN=audited.example.com"
    assert event.changes["privateKey"] == "<set>"
    assert "PRIVATE KEY" not in str(event.changes)


@pytest.mark.parametrize("role", ["guest", "member", "admin", "other_admin"])
async def test_only_superusers_may_change_ssl_settings(gql, cast: Cast, role: str):
    result = await upload(gql, cast.by_role(role), certs.self_signed())
    assert result.codes == ["FORBIDDEN"]
    assert result.body["data"] is None
    assert await stored() is None


async def test_anonymous_callers_must_sign_in_to_change_ssl_settings(gql, cast: Cast):
    result = await upload(gql, None, certs.self_signed())
    assert result.codes == ["UNAUTHENTICATED"]
    assert await stored() is None


async def test_instance_settings_show_the_subject_and_expiry_but_never_the_key(gql, cast: Cast):
    pem = certs.self_signed("shown.example.com")
    await upload(gql, cast.superuser, pem)
    result = await gql(
        "{ instanceSettings { ssl { enabled certificateSubject certificateNotAfter } } }",
        as_=cast.superuser,
    )
    ssl = result.ok()["instanceSettings"]["ssl"]
    assert ssl["enabled"] is True and ssl["certificateSubject"] == "CN=shown.example.com"
    assert "PRIVATE" not in result.response.text


async def test_the_schema_has_no_field_that_returns_the_private_key():
    from schema import schema

    sdl = schema.as_str()
    block = sdl[sdl.index("type SslSettings {") :]
    block = block[: block.index("}")]
    assert sorted(line.split(":")[0].strip() for line in block.splitlines()[1:] if ":" in line) == [
        "certificateNotAfter",
        "certificateSubject",
        "enabled",
    ]
    assert "privateKey:" not in sdl.replace("privateKey: String = null", "")


async def test_a_certificate_whose_subject_is_longer_than_can_be_stored_is_a_validation_error(
    gql, cast: Cast
):
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    # Thirty units of sixty characters: a subject of some two thousand in RFC 4514 form.
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]
        + [
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"{i:02}" + "u" * 58)
            for i in range(30)
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pem = certs.Pem(
        cert.public_bytes(serialization.Encoding.PEM).decode(),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        cert.not_valid_after_utc,
    )
    answer = (await upload(gql, cast.superuser, pem)).payload("updateSslSettings")
    assert answer["__typename"] == "ValidationError"
    assert answer["field"] == "certificate"
    assert await stored() is None or (await stored()).ssl_certificate is None  # type: ignore[union-attr]
