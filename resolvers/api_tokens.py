"""createApiToken, revokeApiToken."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import api_tokens
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from schema.context import Info
from schema.errors import NotFound, ValidationError
from schema.types.projects import ApiToken, CreateApiTokenSuccess, RevokeApiTokenSuccess

CreateApiTokenResult = Annotated[
    CreateApiTokenSuccess | ValidationError,
    strawberry.union("CreateApiTokenResult", description="createApiToken's answer."),
]
RevokeApiTokenResult = Annotated[
    RevokeApiTokenSuccess | NotFound,
    strawberry.union("RevokeApiTokenResult", description="revokeApiToken's answer."),
]


@strawberry.type
class ApiTokenMutations:
    @strawberry.mutation(
        description="Create an API token owned by the caller; its secret is answered this once.",
        extensions=[PermissionExtension([can.CreateApiToken()])],
    )
    @expected_failures
    async def create_api_token(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="What the token is for.")],
        expires_at: Annotated[
            datetime | None,
            strawberry.argument(
                description="When the token stops working (in the future, with a time zone, "
                "within ten years). Left out: until revoked."
            ),
        ] = None,
    ) -> CreateApiTokenResult:
        created = await api_tokens.create_api_token(actor(info), name, expires_at)
        return CreateApiTokenSuccess(
            api_token=ApiToken.from_model(created.token), token=created.secret
        )

    @strawberry.mutation(
        description="Revoke an API token: requests made with it fail from now on.",
        extensions=[PermissionExtension([can.DeleteObjects()])],
    )
    @expected_failures
    async def revoke_api_token(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The token to revoke.")],
    ) -> RevokeApiTokenResult:
        revoked = await api_tokens.revoke_api_token(actor(info), id)
        return RevokeApiTokenSuccess(revoked_api_token_id=strawberry.ID(str(revoked)))
