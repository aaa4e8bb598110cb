"""tenants, createTenant, deleteTenant: superusers only."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import tenants
from models import Tenant as TenantModel
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from schema.context import Info
from schema.errors import AlreadyExists, NotFound, ValidationError
from schema.types.tenants import DeleteTenantSuccess, Tenant, TenantPayload

TenantResult = Annotated[
    TenantPayload | ValidationError | AlreadyExists,
    strawberry.union("TenantResult", description="createTenant's answer."),
]
DeleteTenantResult = Annotated[
    DeleteTenantSuccess | NotFound | ValidationError,
    strawberry.union("DeleteTenantResult", description="deleteTenant's answer."),
]


@strawberry.type
class TenantQueries:
    @strawberry.field(
        description="Every tenant of the instance, by name.",
        extensions=[PermissionExtension([can.ManageTenants()])],
    )
    async def tenants(self, info: Info) -> list[Tenant]:
        return [Tenant.from_model(t) for t in await TenantModel.all().order_by("name_key")]


@strawberry.type
class TenantMutations:
    @strawberry.mutation(
        description="Create an empty tenant (invite its first admin next).",
        extensions=[PermissionExtension([can.ManageTenants()])],
    )
    @expected_failures
    async def create_tenant(
        self,
        info: Info,
        name: Annotated[
            str, strawberry.argument(description="The tenant's name; unique, whatever the case.")
        ],
    ) -> TenantResult:
        tenant = await tenants.create_tenant_as(actor(info), name)
        return TenantPayload(tenant=Tenant.from_model(tenant))

    @strawberry.mutation(
        description="Removes the tenant and everything in it. "
        "confirmName must repeat the tenant's name.",
        extensions=[PermissionExtension([can.ManageTenants()])],
    )
    @expected_failures
    async def delete_tenant(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The tenant to delete.")],
        confirm_name: Annotated[
            str, strawberry.argument(description="The tenant's name again, as a confirmation.")
        ],
    ) -> DeleteTenantResult:
        deleted = await tenants.delete_tenant(actor(info), id, confirm_name)
        return DeleteTenantSuccess(deleted_tenant_id=strawberry.ID(str(deleted)))
