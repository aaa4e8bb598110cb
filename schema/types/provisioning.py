"""SCIM tokens and group-to-role mappings."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from models import GroupRoleMapping as GroupRoleMappingModel
from models import ScimToken as ScimTokenModel
from schema.context import Info
from schema.enums import Role
from schema.types.node import Node
from schema.types.tenants import Tenant


@strawberry.type(
    name="ScimToken",
    description="A bearer token for a tenant's SCIM 2.0 endpoint (/scim/v2/{tenant}/): an "
    "identity provider provisions the tenant's users with it. It opens nothing else. The "
    "secret is shown once, when the token is created.",
)
class ScimToken(Node):
    prefix: str = strawberry.field(
        description="The first characters of the secret, to tell tokens apart. Never the secret."
    )
    created_at: datetime = strawberry.field(description="When the token was created.")
    last_used_at: datetime | None = strawberry.field(
        description="When the identity provider last called with it (updated at most once a "
        "minute); null if never."
    )
    tenant_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, token: ScimTokenModel) -> ScimToken:
        return cls(
            id=strawberry.ID(str(token.id)),
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            tenant_id=token.tenant_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The tenant whose users the token provisions.")
    async def tenant(self, info: Info) -> Tenant:
        return Tenant.from_model(await info.context.loaders.tenant.load(self.tenant_id))


@strawberry.type(description="A new SCIM token, with its secret shown this once.")
class CreateScimTokenSuccess:
    scim_token: ScimToken = strawberry.field(description="The token, as listed from now on.")
    token: str = strawberry.field(
        description="The bearer token for the IdP's SCIM connector, shown this once."
    )
    base_url: str = strawberry.field(
        description="The SCIM base URL to give the IdP: {TENANTRY_PUBLIC_URL}/scim/v2/{tenant}"
    )


@strawberry.type(description="The SCIM token is revoked: the IdP's requests with it now fail.")
class RevokeScimTokenSuccess:
    revoked_scim_token_id: strawberry.ID = strawberry.field(description="The revoked token.")


@strawberry.type(
    name="GroupRoleMapping",
    description="Members of an IdP group (a SCIM group's displayName, or a value of the "
    "tenant's SAML groups attribute) get this role; a user's role is the highest of their "
    "mapped groups.",
)
class GroupRoleMapping(Node):
    group: str = strawberry.field(description="The group's name, matched without regard to case.")
    role: Role = strawberry.field(description="The role the group's members get.")

    @classmethod
    def from_model(cls, mapping: GroupRoleMappingModel) -> GroupRoleMapping:
        return cls(id=strawberry.ID(str(mapping.id)), group=mapping.group, role=mapping.role)


@strawberry.type(description="The tenant's group-to-role mappings after the change.")
class GroupRoleMappingsPayload:
    mappings: list[GroupRoleMapping] = strawberry.field(
        description="Every mapping of the tenant, by group name."
    )


@strawberry.input(description="Map an IdP group to a role, or remove its mapping.")
class GroupRoleMappingInput:
    tenant_id: strawberry.ID = strawberry.field(description="The tenant.")
    group: str = strawberry.field(
        description="The group's name (SCIM displayName or SAML attribute value), 1 to 256 "
        "characters."
    )
    role: Role | None = strawberry.field(
        default=strawberry.UNSET,
        description="The role the group's members get. Null (or left out) removes the "
        "mapping. Never the superuser bit.",
    )

    def wanted_role(self) -> Role | None:
        return None if self.role is strawberry.UNSET else self.role
