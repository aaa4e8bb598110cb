"""deleteUser's payload and the error that lists what still blocks a deletion."""

from __future__ import annotations

import strawberry

from domain import errors as domain_errors
from schema.errors import Error
from schema.types.projects import ApiToken, Project


@strawberry.type
class DeleteUserSuccess:
    deleted_user_id: strawberry.ID


@strawberry.type(
    description="Deletion is blocked: the user still owns these objects. "
    "Migrate their ownership first."
)
class UserOwnsObjects(Error):
    projects: list[Project]
    tokens: list[ApiToken]

    @classmethod
    def from_domain(cls, error: domain_errors.UserOwnsObjects) -> UserOwnsObjects:
        return cls(
            message=error.message,
            projects=[Project.from_model(p) for p in error.projects],
            tokens=[ApiToken.from_model(t) for t in error.tokens],
        )
