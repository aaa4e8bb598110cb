"""While the IdP rolls its signing key over, the settings may hold its current and next
certificates (up to three): a response signed with any of them is accepted, no other."""

from __future__ import annotations

import pytest

from domain.saml.settings import SamlChange, update_saml_settings
from domain.users import actor_of
from models import AuditEvent, AuthMethod, Role, Session, User
from tests.saml.conftest import SsoTenant
from tests.saml.idp import KeyPair, new_key_pair
from tests.saml.test_saml_settings_api import UPDATE, _input

NAME = "sam@acme.example"


@pytest.fixture(scope="module")
def next_keys() -> KeyPair:
    return new_key_pair()


@pytest.fixture
async def rolling_over(cast, sso_a: SsoTenant, idp_keys: KeyPair, next_keys: KeyPair) -> SsoTenant:
    await update_saml_settings(
        actor_of(cast.superuser.user),
        SamlChange(
            tenant_id=str(cast.tenant_a.id),
            enabled=True,
            idp_entity_id=sso_a.idp_entity_id,
            idp_sso_url="https://idp.example/acme/sso",
            idp_certificate=idp_keys.cert_pem + "\n" + next_keys.cert_pem,
        ),
    )
    return sso_a


@pytest.fixture(autouse=True)
async def sam(make, sso_a: SsoTenant) -> User:
    user = await make.user(sso_a.tenant, email=NAME, auth_method=AuthMethod.SAML, role=Role.MEMBER)
    user.saml_idp_entity_id, user.saml_name_id = sso_a.idp_entity_id, NAME
    await user.save()
    return user


@pytest.mark.parametrize("signer", ["current", "next"])
async def test_a_response_signed_with_either_certificate_is_accepted(
    rolling_over: SsoTenant, idp_keys: KeyPair, next_keys: KeyPair, signer: str, sam: User
) -> None:
    keys = idp_keys if signer == "current" else next_keys
    request_id = await rolling_over.login()

    response = await rolling_over.post(
        rolling_over.signed(rolling_over.spec(request_id, NAME), keys)
    )

    assert response.status_code == 303
    assert await Session.filter(user_id=sam.id).count() == 1


async def test_a_response_signed_with_neither_is_refused(
    rolling_over: SsoTenant, stranger_keys: KeyPair, sam: User
) -> None:
    request_id = await rolling_over.login()

    response = await rolling_over.post(
        rolling_over.signed(rolling_over.spec(request_id, NAME), stranger_keys)
    )

    assert response.status_code == 403
    assert await Session.filter(user_id=sam.id).count() == 0


async def test_the_audit_trail_names_every_certificate_by_fingerprint(
    gql, cast, idp_keys: KeyPair, next_keys: KeyPair
) -> None:
    both = idp_keys.cert_pem + next_keys.cert_pem
    result = await gql(UPDATE, _input(str(cast.tenant_a.id), both), as_=cast.superuser)

    assert result.payload("updateSamlSettings")["__typename"] == "SamlSettingsPayload"
    event = await AuditEvent.filter(action="saml.settings_updated").order_by("-at").first()
    fingerprints = event.changes["idpCertificateSha256"].split(", ")
    assert [len(f.split(":")) for f in fingerprints] == [32, 32]


@pytest.mark.parametrize(
    ("certificates", "message"),
    [
        (4, "Give one PEM certificate, or up to 3 while the IdP rolls its key over."),
        (0, "Paste the certificate the IdP signs with (PEM)."),
    ],
)
async def test_more_than_three_certificates_or_none_is_a_validation_error(
    gql, cast, certificates: int, message: str
) -> None:
    pems = "".join(new_key_pair().cert_pem for _ in range(certificates))

    result = await gql(UPDATE, _input(str(cast.tenant_a.id), pems), as_=cast.superuser)

    error = result.payload("updateSamlSettings")
    assert (error["__typename"], error["field"], error["message"]) == (
        "ValidationError", "idpCertificate", message,
    )  # fmt: skip


async def test_the_same_certificate_twice_is_a_validation_error(gql, cast, idp_keys: KeyPair):
    twice = idp_keys.cert_pem + idp_keys.cert_pem

    result = await gql(UPDATE, _input(str(cast.tenant_a.id), twice), as_=cast.superuser)

    error = result.payload("updateSamlSettings")
    assert (error["__typename"], error["message"]) == (
        "ValidationError", "The same certificate is given twice.",
    )  # fmt: skip
