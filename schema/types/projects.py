from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import ApiToken as ApiTokenModel
from models import Project as ProjectModel
from schema.context import Info
from schema.types.pagination import PageInfo

if TYPE_CHECKING:
    from schema.types.users import User


@strawberry.type(name="Project")
class Project:
    id: strawberry.ID
    name: str
    created_at: datetime
    owner_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, project: ProjectModel) -> Project:
        return cls(
            id=strawberry.ID(str(project.id)),
            name=project.name,
            created_at=project.created_at,
            owner_id=project.owner_id,  # type: ignore[attr-defined]
        )

    @strawberry.field
    async def owner(self, info: Info) -> Annotated[User, strawberry.lazy("schema.types.users")]:
        from schema.types.users import User

        return User.from_model(await info.context.loaders.user.load(self.owner_id))


@strawberry.type(name="ApiToken")
class ApiToken:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(
        description="The first characters of the secret, to tell tokens apart. Never the secret."
    )
    created_at: datetime
    last_used_at: datetime | None
    owner_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, token: ApiTokenModel) -> ApiToken:
        return cls(
            id=strawberry.ID(str(token.id)),
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            owner_id=token.owner_id,  # type: ignore[attr-defined]
        )

    @strawberry.field
    async def owner(self, info: Info) -> Annotated[User, strawberry.lazy("schema.types.users")]:
        from schema.types.users import User

        return User.from_model(await info.context.loaders.user.load(self.owner_id))


@strawberry.type
class ProjectEdge:
    node: Project
    cursor: str


@strawberry.type
class ProjectConnection:
    edges: list[ProjectEdge]
    page_info: PageInfo
    total_count: int
