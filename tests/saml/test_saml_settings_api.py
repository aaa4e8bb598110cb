"""samlSettings and updateSamlSettings: superusers only; the certificate is parsed and checked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from models import AuditEvent, SamlSettings
from tests.saml.idp import new_key_pair

READ = """
query($tenantId: ID!) {
  samlSettings(tenantId: $tenantId) { enabled idpEntityId idpSsoUrl spMetadataUrl }
}
"""
UPDATE = """
mutation($input: SamlSettingsInput!) {
  updateSamlSettings(input: $input) {
    __typename
    ... on SamlSettingsPayload { saml { enabled idpEntityId idpSsoUrl spMetadataUrl } }
    ... on ValidationError { message field }
  }
}
"""


def _input(tenant_id: str, cert_pem: str, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "tenantId": tenant_id,
        "enabled": True,
        "idpEntityId": "https://idp.example/acme",
        "idpSsoUrl": "https://idp.example/acme/sso",
        "idpCertificate": cert_pem,
    }
    values.update(changes)
    return {"input": values}


@pytest.mark.parametrize("role", ["guest", "member", "admin", "other_admin"])
async def test_only_superusers_read_saml_settings(gql, cast, role):
    result = await gql(READ, {"tenantId": str(cast.tenant_a.id)}, as_=cast.by_role(role))
    assert result.codes == ["FORBIDDEN"]


@pytest.mark.parametrize("role", ["guest", "member", "admin", "other_admin"])
async def test_only_superusers_change_saml_settings(gql, cast, idp_keys, role):
    result = await gql(
        UPDATE, _input(str(cast.tenant_a.id), idp_keys.cert_pem), as_=cast.by_role(role)
    )
    assert result.codes == ["FORBIDDEN"]
    assert not await SamlSettings.exists()


async def test_anonymous_callers_are_asked_to_sign_in(gql, cast, idp_keys):
    assert (await gql(READ, {"tenantId": str(cast.tenant_a.id)})).codes == ["UNAUTHENTICATED"]
    result = await gql(UPDATE, _input(str(cast.tenant_a.id), idp_keys.cert_pem))
    assert result.codes == ["UNAUTHENTICATED"]


async def test_a_tenant_without_sso_reads_as_disabled_with_its_metadata_url(gql, cast):
    result = await gql(READ, {"tenantId": str(cast.tenant_b.id)}, as_=cast.superuser)
    assert result.ok()["samlSettings"] == {
        "enabled": False,
        "idpEntityId": None,
        "idpSsoUrl": None,
        "spMetadataUrl": "http://tenantry.test/saml/globex/metadata",
    }


async def test_an_unknown_tenant_is_not_found(gql, cast):
    result = await gql(
        READ, {"tenantId": "00000000-0000-0000-0000-000000000000"}, as_=cast.superuser
    )
    assert result.codes == ["NOT_FOUND"]


async def test_a_superuser_configures_any_tenant_and_reads_it_back(gql, cast, idp_keys):
    saved = await gql(UPDATE, _input(str(cast.tenant_b.id), idp_keys.cert_pem), as_=cast.superuser)
    expected = {
        "enabled": True,
        "idpEntityId": "https://idp.example/acme",
        "idpSsoUrl": "https://idp.example/acme/sso",
        "spMetadataUrl": "http://tenantry.test/saml/globex/metadata",
    }
    assert saved.payload("updateSamlSettings") == {
        "__typename": "SamlSettingsPayload",
        "saml": expected,
    }
    read = await gql(READ, {"tenantId": str(cast.tenant_b.id)}, as_=cast.superuser)
    assert read.ok()["samlSettings"] == expected


async def test_a_bare_base64_certificate_is_accepted_and_stored_as_pem(gql, cast, idp_keys):
    body = "".join(idp_keys.cert_pem.strip().splitlines()[1:-1])
    saved = await gql(UPDATE, _input(str(cast.tenant_a.id), body), as_=cast.superuser)
    assert saved.payload("updateSamlSettings")["__typename"] == "SamlSettingsPayload"
    stored = await SamlSettings.get(tenant_id=cast.tenant_a.id)
    assert stored.idp_certificate == idp_keys.cert_pem


@pytest.mark.parametrize(
    "certificate",
    [
        "",
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
    ],
)
async def test_an_unreadable_certificate_is_refused(gql, cast, certificate):
    result = await gql(UPDATE, _input(str(cast.tenant_a.id), certificate), as_=cast.superuser)
    error = result.payload("updateSamlSettings")
    assert (error["__typename"], error["field"]) == ("ValidationError", "idpCertificate")
    assert not await SamlSettings.exists()


async def test_an_expired_certificate_is_refused(gql, cast):
    old = new_key_pair(valid_from=datetime.now(UTC) - timedelta(days=30), days=10)
    result = await gql(UPDATE, _input(str(cast.tenant_a.id), old.cert_pem), as_=cast.superuser)
    error = result.payload("updateSamlSettings")
    assert (error["__typename"], error["field"]) == ("ValidationError", "idpCertificate")


async def test_a_weak_rsa_key_is_refused(gql, cast):
    weak = new_key_pair(bits=1024)
    result = await gql(UPDATE, _input(str(cast.tenant_a.id), weak.cert_pem), as_=cast.superuser)
    error = result.payload("updateSamlSettings")
    assert (error["__typename"], error["field"]) == ("ValidationError", "idpCertificate")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://idp.example/sso",
        "/relative/sso",
        "https://",
        "",
        "https://[::1/sso",
        "https://idp.example:port/sso",
    ],
)
async def test_the_sso_url_must_be_http_or_https(gql, cast, idp_keys, url):
    result = await gql(
        UPDATE, _input(str(cast.tenant_a.id), idp_keys.cert_pem, idpSsoUrl=url), as_=cast.superuser
    )
    error = result.payload("updateSamlSettings")
    assert (error["__typename"], error["field"]) == ("ValidationError", "idpSsoUrl")


@pytest.mark.parametrize("entity_id", [" ", "x" * 1025])
async def test_the_entity_id_must_be_storable_text(gql, cast, idp_keys, entity_id):
    result = await gql(
        UPDATE,
        _input(str(cast.tenant_a.id), idp_keys.cert_pem, idpEntityId=entity_id),
        as_=cast.superuser,
    )
    error = result.payload("updateSamlSettings")
    assert (error["__typename"], error["field"]) == ("ValidationError", "idpEntityId")


async def test_an_unknown_tenant_is_a_validation_error(gql, cast, idp_keys):
    result = await gql(
        UPDATE,
        _input("00000000-0000-0000-0000-000000000000", idp_keys.cert_pem),
        as_=cast.superuser,
    )
    error = result.payload("updateSamlSettings")
    assert (error["__typename"], error["field"]) == ("ValidationError", "tenantId")


async def test_changing_sso_settings_writes_an_audit_event(gql, cast, idp_keys):
    await gql(UPDATE, _input(str(cast.tenant_a.id), idp_keys.cert_pem), as_=cast.superuser)
    await gql(
        UPDATE, _input(str(cast.tenant_a.id), idp_keys.cert_pem, enabled=False), as_=cast.superuser
    )
    events = await AuditEvent.filter(action="saml.settings_updated").order_by("at")
    assert [e.actor_id for e in events] == [cast.superuser.user.id] * 2  # type: ignore[attr-defined]
    assert events[0].tenant_id == cast.tenant_a.id  # type: ignore[attr-defined]
    assert events[0].changes["enabled"] is True
    assert len(events[0].changes["idpCertificateSha256"].split(":")) == 32
    # The second change touched only `enabled`; the certificate itself never enters the trail.
    assert events[1].changes == {"enabled": False}
    assert "BEGIN CERTIFICATE" not in str(events[0].changes)


@pytest.mark.parametrize("field", ["idpEntityId", "idpSsoUrl", "idpCertificate"])
async def test_a_lone_surrogate_is_a_validation_error_not_a_crash(http, cast, idp_keys, field):
    variables = _input(str(cast.tenant_a.id), idp_keys.cert_pem)
    variables["input"][field] = "https://idp.example/\ud800"  # type: ignore[index]
    # JSON with ASCII escapes, as a client may send it: httpx would refuse to encode it.
    response = await http.post(
        "/graphql",
        content=json.dumps({"query": UPDATE, "variables": variables}),
        headers={
            "content-type": "application/json",
            "authorization": f"Bearer {cast.superuser.token}",
        },
    )
    error = response.json()["data"]["updateSamlSettings"]
    assert (error["__typename"], error["field"]) == ("ValidationError", field)
