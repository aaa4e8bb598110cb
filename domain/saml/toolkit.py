"""The bridge to python3-saml: per-tenant SP URLs, settings and a stricter Response check.

python3-saml's checks are the base; `StrictResponse` adds the ones it leaves loose: it lets a
response without InResponseTo, Destination, Audience or Recipient through, and compares the
Destination by prefix and the Recipient by substring. Here each must be present and exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils, OneLogin_Saml2_ValidationError

from config import get_config
from domain.saml.certificates import certificates_in
from models import SamlSettings, Tenant

# What the SP demands of every response (python3-saml `security` keys).
SECURITY: dict[str, Any] = {
    "wantAssertionsSigned": True,
    # The Response envelope may be unsigned (most IdPs sign only the assertion); everything
    # we read comes from the signed assertion.
    "wantMessagesSigned": False,
    "wantNameId": True,
    "wantAssertionsEncrypted": False,
    "wantNameIdEncrypted": False,
    "authnRequestsSigned": False,
    "logoutRequestSigned": False,
    "logoutResponseSigned": False,
    "signMetadata": False,
    # Only NameID (and optionally an e-mail attribute) is needed.
    "wantAttributeStatement": False,
    "rejectDeprecatedAlgorithm": True,
    "signatureAlgorithm": C.RSA_SHA256,
    "digestAlgorithm": C.SHA256,
    # No RequestedAuthnContext: the IdP decides how its users authenticate (MFA included).
    "requestedAuthnContext": False,
}


@dataclass(frozen=True)
class SpUrls:
    entity_id: str
    metadata_url: str
    login_url: str
    acs_url: str


def sp_urls(tenant: Tenant) -> SpUrls:
    base = f"{get_config().public_url}/saml/{quote(tenant.name, safe='')}"
    return SpUrls(
        entity_id=f"{base}/metadata",
        metadata_url=f"{base}/metadata",
        login_url=f"{base}/login",
        acs_url=f"{base}/acs",
    )


def _sp(urls: SpUrls) -> dict[str, Any]:
    return {
        "entityId": urls.entity_id,
        "assertionConsumerService": {"url": urls.acs_url, "binding": C.BINDING_HTTP_POST},
        "NameIDFormat": C.NAMEID_UNSPECIFIED,
    }


def toolkit_settings(tenant: Tenant, saml: SamlSettings) -> OneLogin_Saml2_Settings:
    certificates = certificates_in(saml.idp_certificate)
    idp: dict[str, Any] = {
        "entityId": saml.idp_entity_id,
        "singleSignOnService": {"url": saml.idp_sso_url, "binding": C.BINDING_HTTP_REDIRECT},
        "x509cert": certificates[0],
    }
    if len(certificates) > 1:
        # A key rollover: a signature by any of them is accepted.
        idp["x509certMulti"] = {"signing": certificates}
    return OneLogin_Saml2_Settings(
        {"strict": True, "debug": False, "sp": _sp(sp_urls(tenant)), "idp": idp,
         "security": dict(SECURITY)}
    )  # fmt: skip


def sp_metadata(tenant: Tenant) -> str:
    settings = OneLogin_Saml2_Settings(
        {"strict": True, "sp": _sp(sp_urls(tenant)), "security": dict(SECURITY)},
        sp_validation_only=True,
    )
    metadata = settings.get_sp_metadata()
    errors = settings.validate_metadata(metadata)
    if errors:
        raise RuntimeError(f"invalid SP metadata: {errors}")
    return metadata.decode() if isinstance(metadata, bytes) else metadata


def request_data(url: str, post_data: dict[str, str] | None = None) -> dict[str, Any]:
    """python3-saml's view of "the current request", built from our configured URL, never
    from Host or X-Forwarded-* headers: destination and recipient are compared with this."""
    parts = urlsplit(url)
    return {
        "https": "on" if parts.scheme == "https" else "off",
        "http_host": parts.netloc,
        "script_name": parts.path,
        "get_data": {},
        "post_data": post_data or {},
    }


class StrictResponse(OneLogin_Saml2_Response):
    def is_valid(
        self,
        request_data: dict[str, Any],
        request_id: str | None = None,
        raise_exceptions: bool = False,
    ) -> bool:
        if not super().is_valid(request_data, request_id, raise_exceptions):
            return False
        try:
            acs_url = OneLogin_Saml2_Utils.get_self_url_no_query(request_data)
            self._check_exactly(acs_url, request_id)
        except OneLogin_Saml2_ValidationError as err:
            self._error = str(err)
            if raise_exceptions:
                raise
            return False
        return True

    def _check_exactly(self, acs_url: str, request_id: str | None) -> None:
        errors = OneLogin_Saml2_ValidationError

        def refuse(message: str, code: int) -> None:
            raise errors(message, code)

        if request_id is None or self.get_in_response_to() != request_id:
            refuse(
                "The response does not answer a request of ours (InResponseTo).",
                errors.WRONG_INRESPONSETO,
            )
        if self.document.get("Destination") != acs_url:
            refuse("The response is addressed elsewhere (Destination).", errors.WRONG_DESTINATION)
        if self._settings.get_sp_data()["entityId"] not in self.get_audiences():
            refuse(
                "The assertion is not for this service provider (Audience).",
                errors.WRONG_AUDIENCE,
            )
        confirmations = self._query_assertion("/saml:Subject/saml:SubjectConfirmation")
        for confirmation in confirmations:
            if confirmation.get("Method") != C.CM_BEARER:
                continue
            data = confirmation.find("saml:SubjectConfirmationData", namespaces=C.NSMAP)
            if (
                data is not None
                and data.get("Recipient") == acs_url
                and data.get("InResponseTo") == request_id
                and data.get("NotOnOrAfter")
            ):
                return
        refuse(
            "No bearer confirmation for this ACS, this request and a limited time.",
            errors.WRONG_SUBJECTCONFIRMATION,
        )


class TenantSamlAuth(OneLogin_Saml2_Auth):
    response_class = StrictResponse
