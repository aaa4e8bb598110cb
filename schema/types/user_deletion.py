"""deleteUser's payload and the error that lists what still blocks a deletion."""

from __future__ import annotations

import strawberry

from domain import errors as domain_errors
from schema.errors import Error
from schema.types.projects import ApiToken, Project


@strawberry.type(description="The user is gone; what they owned was moved first.")
class DeleteUserSuccess:
    deleted_user_id: strawberry.ID = strawberry.field(
        description="The deleted user's ID (drop it from caches)."
    )


@strawberry.type(
    description="Deletion is blocked: the user still owns these objects. "
    "Migrate their ownership first."
)
class UserOwnsObjects(Error):
    projects: list[Project] = strawberry.field(description="Projects the user still owns.")
    tokens: list[ApiToken] = strawberry.field(description="API tokens the user still owns.")

    @classmethod
    def from_domain(cls, error: domain_errors.UserOwnsObjects) -> UserOwnsObjects:
        return cls(
            message=error.message,
            projects=[Project.from_model(p) for p in error.projects],
            tokens=[ApiToken.from_model(t) for t in error.tokens],
        )
