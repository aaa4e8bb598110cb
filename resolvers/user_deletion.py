"""deleteUser."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import errors, users
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from schema.context import Info
from schema.errors import LastAdmin, LastSuperuser, NotFound
from schema.types.user_deletion import DeleteUserSuccess, UserOwnsObjects

DeleteUserResult = Annotated[
    DeleteUserSuccess | NotFound | UserOwnsObjects | LastAdmin | LastSuperuser,
    strawberry.union("DeleteUserResult", description="deleteUser's answer."),
]


@strawberry.type
class UserDeletionMutations:
    @strawberry.mutation(
        description="Delete a user who owns nothing (transferOwnership first); never the "
        "tenant's last admin or the instance's last superuser.",
        extensions=[PermissionExtension([can.DeleteUser()])],
    )
    @expected_failures
    async def delete_user(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The user to delete.")],
    ) -> DeleteUserResult:
        try:
            deleted = await users.delete_user(actor(info), id)
        except errors.UserOwnsObjects as blocked:
            # schema.errors.to_graphql knows no Project types: this feature maps its own error.
            return UserOwnsObjects.from_domain(blocked)
        return DeleteUserSuccess(deleted_user_id=strawberry.ID(str(deleted)))
