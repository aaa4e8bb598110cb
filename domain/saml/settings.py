"""A tenant's SSO configuration: read and changed by superusers only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from tortoise.transactions import in_transaction

from domain import audit, validation
from domain.errors import NotFound, ValidationFailed, require
from domain.saml.certificates import fingerprints, normal_certificates
from domain.saml.toolkit import sp_urls
from models import SamlSettings, Tenant
from permissions.rules import Actor, Op

MAX_ENTITY_ID = 1024
MAX_URL = 2048


@dataclass(frozen=True)
class SamlView:
    """What the API shows: never the certificate itself."""

    enabled: bool
    idp_entity_id: str | None
    idp_sso_url: str | None
    sp_metadata_url: str


@dataclass(frozen=True)
class SamlChange:
    tenant_id: str
    enabled: bool
    idp_entity_id: str
    idp_sso_url: str
    idp_certificate: str


async def _tenant(tenant_id: str | uuid.UUID) -> Tenant:
    tenant = await Tenant.get_or_none(id=validation.object_id(tenant_id))
    if tenant is None:
        raise NotFound("No such tenant.")
    return tenant


def _view(tenant: Tenant, saml: SamlSettings | None) -> SamlView:
    return SamlView(
        enabled=bool(saml and saml.enabled),
        idp_entity_id=saml.idp_entity_id if saml else None,
        idp_sso_url=saml.idp_sso_url if saml else None,
        sp_metadata_url=sp_urls(tenant).metadata_url,
    )


async def saml_settings(actor: Actor, tenant_id: str) -> SamlView:
    require(actor, Op.SAML_SETTINGS)
    tenant = await _tenant(tenant_id)
    return _view(tenant, await SamlSettings.get_or_none(tenant_id=tenant.id))


def _entity_id(value: str) -> str:
    value = validation.plain_text(value, "idpEntityId").strip()
    if not value or len(value) > MAX_ENTITY_ID:
        raise ValidationFailed(
            f"Give the IdP's entity ID (issuer), at most {MAX_ENTITY_ID} characters.",
            "idpEntityId",
        )
    return value


def _sso_url(value: str) -> str:
    value = validation.plain_text(value, "idpSsoUrl").strip()
    refusal = ValidationFailed("The IdP's SSO URL must be an absolute http(s) URL.", "idpSsoUrl")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise refusal from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or len(value) > MAX_URL
        or any(ch.isspace() for ch in value)
    ):
        raise refusal
    return value


async def update_saml_settings(actor: Actor, change: SamlChange) -> SamlView:
    require(actor, Op.CONFIGURE_SAML)
    try:
        tenant = await _tenant(change.tenant_id)
    except NotFound:
        raise ValidationFailed("No such tenant.", "tenantId") from None
    entity_id = _entity_id(change.idp_entity_id)
    sso_url = _sso_url(change.idp_sso_url)
    certificate = normal_certificates(change.idp_certificate)
    async with in_transaction() as connection:
        saml = await SamlSettings.get_or_none(tenant_id=tenant.id).using_db(connection)
        before = _view(tenant, saml)
        if saml is None:
            saml = await SamlSettings.create(
                using_db=connection,
                tenant=tenant,
                enabled=change.enabled,
                idp_entity_id=entity_id,
                idp_sso_url=sso_url,
                idp_certificate=certificate,
            )
        else:
            old_certificate = saml.idp_certificate
            saml.enabled, saml.idp_entity_id, saml.idp_sso_url = change.enabled, entity_id, sso_url
            saml.idp_certificate = certificate
            await saml.save(using_db=connection)
            if old_certificate == certificate:
                certificate = ""
        changes: dict[str, object] = {
            key: value
            for key, old, value in (
                ("enabled", before.enabled, change.enabled),
                ("idpEntityId", before.idp_entity_id, entity_id),
                ("idpSsoUrl", before.idp_sso_url, sso_url),
            )
            if old != value
        }
        if certificate:
            changes["idpCertificateSha256"] = fingerprints(certificate)
        await audit.record(
            actor,
            "saml.settings_updated",
            tenant_id=tenant.id,
            target_type="tenant",
            target_id=tenant.id,
            changes=changes,
        )
    return _view(tenant, saml)
