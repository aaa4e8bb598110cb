"""deactivateUser, reactivateUser."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import deactivation
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from schema.context import Info
from schema.errors import LastAdmin, LastSuperuser, NotFound
from schema.types.users import User, UserPayload

DeactivateUserResult = Annotated[
    UserPayload | NotFound | LastAdmin | LastSuperuser,
    strawberry.union("DeactivateUserResult", description="deactivateUser's answer."),
]
ReactivateUserResult = Annotated[
    UserPayload | NotFound,
    strawberry.union("ReactivateUserResult", description="reactivateUser's answer."),
]
UserToChange = Annotated[strawberry.ID, strawberry.argument(description="The user.")]


@strawberry.type
class DeactivationMutations:
    @strawberry.mutation(
        description="The user signs in by no method, their sessions end and their API tokens "
        "stop answering; what they own stays theirs. Admins: users of their tenant who are not "
        "superusers; superusers: anyone.",
        extensions=[PermissionExtension([can.DeactivateUser()])],
    )
    @expected_failures
    async def deactivate_user(self, info: Info, id: UserToChange) -> DeactivateUserResult:
        user = await deactivation.deactivate_user(actor(info), id)
        return UserPayload(user=User.from_model(user))

    @strawberry.mutation(
        description="Sign-in and the user's API tokens work again (ended sessions stay "
        "ended). Same callers as deactivateUser; not with an API token.",
        extensions=[PermissionExtension([can.ReactivateUser()])],
    )
    @expected_failures
    async def reactivate_user(self, info: Info, id: UserToChange) -> ReactivateUserResult:
        user = await deactivation.reactivate_user(actor(info), id)
        return UserPayload(user=User.from_model(user))
