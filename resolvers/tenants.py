"""tenants (createTenant and deleteTenant come with the tenant lifecycle)."""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension

from models import Tenant as TenantModel
from permissions import graphql as can
from schema.context import Info
from schema.types.tenants import Tenant


@strawberry.type
class TenantQueries:
    @strawberry.field(extensions=[PermissionExtension([can.ManageTenants()])])
    async def tenants(self, info: Info) -> list[Tenant]:
        return [Tenant.from_model(t) for t in await TenantModel.all().order_by("name_key")]
