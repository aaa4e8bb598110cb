"""samlSettings, updateSamlSettings (superusers)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.permission import PermissionExtension

from domain.errors import NotFound
from domain.saml import settings as saml
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from schema.context import Info
from schema.errors import ValidationError
from schema.types.saml import SamlSettings, SamlSettingsInput, SamlSettingsPayload

SamlSettingsResult = Annotated[
    SamlSettingsPayload | ValidationError,
    strawberry.union("SamlSettingsResult", description="updateSamlSettings' answer."),
]


@strawberry.type
class SamlQueries:
    @strawberry.field(
        description="A tenant's SAML single sign-on settings (NOT_FOUND for an unknown tenant).",
        extensions=[PermissionExtension([can.SamlSettings()])],
    )
    async def saml_settings(
        self,
        info: Info,
        tenant_id: Annotated[strawberry.ID, strawberry.argument(description="The tenant.")],
    ) -> SamlSettings:
        try:
            view = await saml.saml_settings(actor(info), tenant_id)
        except NotFound as exc:
            raise GraphQLError(exc.message, extensions={"code": "NOT_FOUND"}) from None
        return SamlSettings.from_view(view)


@strawberry.type
class SamlMutations:
    @strawberry.mutation(
        description="Set a tenant's SAML settings: which IdP signs its SAML users in.",
        extensions=[PermissionExtension([can.ConfigureSaml()])],
    )
    @expected_failures
    async def update_saml_settings(
        self,
        info: Info,
        input: Annotated[SamlSettingsInput, strawberry.argument(description="The settings.")],
    ) -> SamlSettingsResult:
        view = await saml.update_saml_settings(
            actor(info),
            saml.SamlChange(
                tenant_id=input.tenant_id,
                enabled=input.enabled,
                idp_entity_id=input.idp_entity_id,
                idp_sso_url=input.idp_sso_url,
                idp_certificate=input.idp_certificate,
            ),
        )
        return SamlSettingsPayload(saml=SamlSettings.from_view(view))
