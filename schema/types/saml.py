from __future__ import annotations

import strawberry

from domain.saml.settings import SamlView


@strawberry.type(name="SamlSettings")
class SamlSettings:
    enabled: bool
    idp_entity_id: str | None
    idp_sso_url: str | None
    sp_metadata_url: str = strawberry.field(description="SP metadata to give to the IdP.")

    @classmethod
    def from_view(cls, view: SamlView) -> SamlSettings:
        return cls(
            enabled=view.enabled,
            idp_entity_id=view.idp_entity_id,
            idp_sso_url=view.idp_sso_url,
            sp_metadata_url=view.sp_metadata_url,
        )


@strawberry.type
class SamlSettingsPayload:
    saml: SamlSettings


@strawberry.input
class SamlSettingsInput:
    tenant_id: strawberry.ID
    enabled: bool
    idp_entity_id: str
    idp_sso_url: str
    idp_certificate: str = strawberry.field(description="PEM certificate the IdP signs with.")
