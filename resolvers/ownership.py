"""transferOwnership."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import ownership
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from schema.context import Info
from schema.errors import NotFound, ValidationError
from schema.types.projects import (
    ApiToken,
    Project,
    ReissuedApiToken,
    TransferOwnershipInput,
    TransferOwnershipSuccess,
)

TransferOwnershipResult = Annotated[
    TransferOwnershipSuccess | NotFound | ValidationError,
    strawberry.union("TransferOwnershipResult", description="transferOwnership's answer."),
]


@strawberry.type
class OwnershipMutations:
    @strawberry.mutation(
        description="Move a user's projects and API tokens to another user of their tenant "
        "(before deleting the user, for one). Moved tokens get new secrets.",
        extensions=[PermissionExtension([can.TransferOwnership()])],
    )
    @expected_failures
    async def transfer_ownership(
        self,
        info: Info,
        input: Annotated[
            TransferOwnershipInput, strawberry.argument(description="From whom, to whom, what.")
        ],
    ) -> TransferOwnershipResult:
        moved = await ownership.transfer_ownership(
            actor(info),
            input.from_user_id,
            input.to_user_id,
            project_ids=input.project_ids,
            token_ids=input.token_ids,
        )
        return TransferOwnershipSuccess(
            projects=[Project.from_model(p) for p in moved.projects],
            tokens=[ApiToken.from_model(t) for t in moved.tokens],
            reissued_tokens=[
                ReissuedApiToken(api_token=ApiToken.from_model(t), token=moved.secrets[t.id])
                for t in moved.tokens
            ],
        )
