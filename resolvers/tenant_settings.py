"""tenantSettings, updateTenantSettings."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.permission import PermissionExtension

from domain import tenant_settings
from domain.errors import NotFound as DomainNotFound
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from schema.context import Info
from schema.errors import NotFound, ValidationError
from schema.types.security import TenantSettings, TenantSettingsInput, TenantSettingsPayload

UpdateTenantSettingsResult = Annotated[
    TenantSettingsPayload | NotFound | ValidationError,
    strawberry.union("UpdateTenantSettingsResult", description="updateTenantSettings' answer."),
]


@strawberry.type
class TenantSettingsQueries:
    @strawberry.field(
        description="The caller's tenant when tenantId is left out.",
        extensions=[PermissionExtension([can.ViewTenantSettings()])],
    )
    async def tenant_settings(
        self,
        info: Info,
        tenant_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The tenant; left out: the caller's own."),
        ] = None,
    ) -> TenantSettings:
        try:
            view = await tenant_settings.tenant_settings(actor(info), tenant_id)
        except DomainNotFound as exc:
            raise GraphQLError(exc.message, extensions={"code": "NOT_FOUND"}) from None
        return TenantSettings.from_view(view)


@strawberry.type
class TenantSettingsMutations:
    @strawberry.mutation(
        description="Change a tenant's settings; those left out of the input stay as they are.",
        extensions=[PermissionExtension([can.ConfigureTenant()])],
    )
    @expected_failures
    async def update_tenant_settings(
        self,
        info: Info,
        input: Annotated[
            TenantSettingsInput,
            strawberry.argument(description="The tenant and the settings to change."),
        ],
    ) -> UpdateTenantSettingsResult:
        view = await tenant_settings.update_tenant_settings(
            actor(info), input.tenant_id, input.given()
        )
        return TenantSettingsPayload(settings=TenantSettings.from_view(view))
