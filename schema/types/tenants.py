from __future__ import annotations

from datetime import datetime

import strawberry

from models import Tenant as TenantModel
from schema.types.node import Node


@strawberry.type(name="Tenant")
class Tenant(Node):
    id: strawberry.ID
    name: str
    created_at: datetime

    @classmethod
    def from_model(cls, tenant: TenantModel) -> Tenant:
        return cls(id=strawberry.ID(str(tenant.id)), name=tenant.name, created_at=tenant.created_at)


@strawberry.type
class TenantPayload:
    tenant: Tenant


@strawberry.type
class DeleteTenantSuccess:
    deleted_tenant_id: strawberry.ID
