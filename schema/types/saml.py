from __future__ import annotations

import strawberry

from domain.saml.settings import SamlView


@strawberry.type(
    name="SamlSettings",
    description="A tenant's SAML single sign-on: the identity provider (IdP) its SAML users "
    "sign in with.",
)
class SamlSettings:
    enabled: bool = strawberry.field(description="SAML users of the tenant may sign in.")
    idp_entity_id: str | None = strawberry.field(
        description="The IdP's entity ID (its Issuer); null until set."
    )
    idp_sso_url: str | None = strawberry.field(
        description="Where sign-in requests go (the IdP's SSO URL); null until set."
    )
    sp_metadata_url: str = strawberry.field(description="SP metadata to give to the IdP.")

    @classmethod
    def from_view(cls, view: SamlView) -> SamlSettings:
        return cls(
            enabled=view.enabled,
            idp_entity_id=view.idp_entity_id,
            idp_sso_url=view.idp_sso_url,
            sp_metadata_url=view.sp_metadata_url,
        )


@strawberry.type(description="The SAML settings as saved.")
class SamlSettingsPayload:
    saml: SamlSettings = strawberry.field(description="The settings, as saved.")


@strawberry.input(description="A tenant's SAML settings, replaced whole.")
class SamlSettingsInput:
    tenant_id: strawberry.ID = strawberry.field(description="The tenant to configure.")
    enabled: bool = strawberry.field(description="Let the tenant's SAML users sign in.")
    idp_entity_id: str = strawberry.field(description="The IdP's entity ID (its Issuer).")
    idp_sso_url: str = strawberry.field(description="The IdP's SSO URL (https).")
    idp_certificate: str = strawberry.field(description="PEM certificate the IdP signs with.")
