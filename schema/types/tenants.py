from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import strawberry

from models import Tenant as TenantModel
from schema.types.node import Node


@strawberry.type(
    name="Tenant",
    description="An organisation: its users, projects, invitations and settings are its own.",
)
class Tenant(Node):
    name: str = strawberry.field(
        description="The tenant's name: users give it to sign in; unique, whatever the case."
    )
    created_at: datetime = strawberry.field(description="When the tenant was created.")

    @classmethod
    def from_model(cls, tenant: TenantModel) -> Tenant:
        return cls(id=strawberry.ID(str(tenant.id)), name=tenant.name, created_at=tenant.created_at)

    @classmethod
    def from_joined_row(cls, tenant_id: Any, row: Mapping[str, Any]) -> Tenant:
        """From a users page's row with the tenant's columns joined in (resolvers/preload.py)."""
        return cls(
            id=strawberry.ID(str(tenant_id)),
            name=row["tenant__name"],
            created_at=row["tenant__created_at"],
        )


@strawberry.type(description="The tenant as the mutation left it.")
class TenantPayload:
    tenant: Tenant = strawberry.field(description="The tenant, created.")


@strawberry.type(description="The tenant is gone, with everything in it.")
class DeleteTenantSuccess:
    deleted_tenant_id: strawberry.ID = strawberry.field(
        description="The deleted tenant's ID (drop it from caches)."
    )
