"""createScimToken, revokeScimToken, scimTokens; setGroupRoleMapping, groupRoleMappings."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.permission import PermissionExtension

from domain import group_roles, scim_tokens
from domain.errors import NotFound as DomainNotFound
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from schema.context import Info
from schema.errors import LastAdmin, NotFound, ValidationError
from schema.types.provisioning import (
    CreateScimTokenSuccess,
    GroupRoleMapping,
    GroupRoleMappingInput,
    GroupRoleMappingsPayload,
    RevokeScimTokenSuccess,
    ScimToken,
)

CreateScimTokenResult = Annotated[
    CreateScimTokenSuccess | NotFound,
    strawberry.union("CreateScimTokenResult", description="createScimToken's answer."),
]
RevokeScimTokenResult = Annotated[
    RevokeScimTokenSuccess | NotFound,
    strawberry.union("RevokeScimTokenResult", description="revokeScimToken's answer."),
]
SetGroupRoleMappingResult = Annotated[
    GroupRoleMappingsPayload | NotFound | ValidationError | LastAdmin,
    strawberry.union("SetGroupRoleMappingResult", description="setGroupRoleMapping's answer."),
]
TenantArgument = Annotated[strawberry.ID, strawberry.argument(description="The tenant.")]


def _not_found(exc: DomainNotFound) -> GraphQLError:
    return GraphQLError(exc.message, extensions={"code": "NOT_FOUND"})


@strawberry.type
class ProvisioningQueries:
    @strawberry.field(
        description="The tenant's SCIM tokens (never their secrets), oldest first.",
        extensions=[PermissionExtension([can.ScimTokens()])],
    )
    async def scim_tokens(self, info: Info, tenant_id: TenantArgument) -> list[ScimToken]:
        try:
            tokens = await scim_tokens.scim_tokens(actor(info), tenant_id)
        except DomainNotFound as exc:
            raise _not_found(exc) from None
        return [ScimToken.from_model(token) for token in tokens]

    @strawberry.field(
        description="The tenant's group-to-role mappings, by group name.",
        extensions=[PermissionExtension([can.GroupRoleMappings()])],
    )
    async def group_role_mappings(
        self, info: Info, tenant_id: TenantArgument
    ) -> list[GroupRoleMapping]:
        try:
            mappings = await group_roles.group_role_mappings(actor(info), tenant_id)
        except DomainNotFound as exc:
            raise _not_found(exc) from None
        return [GroupRoleMapping.from_model(mapping) for mapping in mappings]


@strawberry.type
class ProvisioningMutations:
    @strawberry.mutation(
        description="Create a SCIM token for the tenant; its secret is answered this once, "
        "with the base URL to give the identity provider.",
        extensions=[PermissionExtension([can.ScimTokens()])],
    )
    @expected_failures
    async def create_scim_token(
        self, info: Info, tenant_id: TenantArgument
    ) -> CreateScimTokenResult:
        created = await scim_tokens.create_scim_token(actor(info), tenant_id)
        return CreateScimTokenSuccess(
            scim_token=ScimToken.from_model(created.token),
            token=created.secret,
            base_url=created.base_url,
        )

    @strawberry.mutation(
        description="Revoke a SCIM token: the identity provider's requests with it fail from "
        "now on.",
        extensions=[PermissionExtension([can.ScimTokens()])],
    )
    @expected_failures
    async def revoke_scim_token(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The token to revoke.")],
    ) -> RevokeScimTokenResult:
        revoked = await scim_tokens.revoke_scim_token(actor(info), id)
        return RevokeScimTokenSuccess(revoked_scim_token_id=strawberry.ID(str(revoked)))

    @strawberry.mutation(
        description="Map an IdP group to a role (or remove the mapping); the roles of the "
        "group's current members are recomputed at once. LastAdmin, changing nothing, when "
        "the tenant would be left without an active admin.",
        extensions=[PermissionExtension([can.GroupRoleMappings()])],
    )
    @expected_failures
    async def set_group_role_mapping(
        self,
        info: Info,
        input: Annotated[
            GroupRoleMappingInput, strawberry.argument(description="The group and its role.")
        ],
    ) -> SetGroupRoleMappingResult:
        mappings = await group_roles.set_group_role_mapping(
            actor(info), input.tenant_id, input.group, input.wanted_role()
        )
        return GroupRoleMappingsPayload(
            mappings=[GroupRoleMapping.from_model(mapping) for mapping in mappings]
        )
