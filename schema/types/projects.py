from __future__ import annotations

import uuid
import weakref
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from models import ApiToken as ApiTokenModel
from models import Project as ProjectModel
from schema.context import Info
from schema.types.node import Node
from schema.types.pagination import PageInfo

if TYPE_CHECKING:
    from schema.types.users import User


@strawberry.type(name="Project")
class Project(Node):
    id: strawberry.ID
    name: str
    created_at: datetime
    owner_id: strawberry.Private[uuid.UUID]
    # Set when a list resolver preloaded the page (resolvers/preload.py preload_users): a weak
    # reference, because the owner's node lists this project in turn. A strong one made each
    # owner and its projects a reference cycle, so a page (models, UUIDs, nodes) outlived its
    # request until a full garbage collection; the page's edges keep the owner alive meanwhile.
    preloaded_owner: strawberry.Private[weakref.ReferenceType[Any] | None] = None

    @classmethod
    def from_model(cls, project: ProjectModel) -> Project:
        return cls(
            id=strawberry.ID(str(project.id)),
            name=project.name,
            created_at=project.created_at,
            owner_id=project.owner_id,  # type: ignore[attr-defined]
        )

    @strawberry.field
    def owner(self, info: Info) -> Annotated[User, strawberry.lazy("schema.types.users")]:
        # Synchronous when preloaded; otherwise an awaitable the executor awaits.
        owner = self.preloaded_owner() if self.preloaded_owner is not None else None
        if owner is not None:
            return owner  # type: ignore[no-any-return]
        return self._load_owner(info)  # type: ignore[return-value]

    async def _load_owner(self, info: Info) -> User:
        from schema.types.users import User

        return User.from_model(await info.context.loaders.user.load(self.owner_id))


@strawberry.type(name="ApiToken")
class ApiToken(Node):
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(
        description="The first characters of the secret, to tell tokens apart. Never the secret."
    )
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(
        description="When a request last came with it (updated at most once a minute)."
    )
    expires_at: datetime | None = strawberry.field(
        description="From then on the token answers like an unknown one. Null: until revoked."
    )
    owner_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, token: ApiTokenModel) -> ApiToken:
        return cls(
            id=strawberry.ID(str(token.id)),
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            expires_at=token.expires_at,
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


@strawberry.type
class ProjectPayload:
    project: Project


@strawberry.type
class DeleteProjectSuccess:
    deleted_project_id: strawberry.ID


@strawberry.type
class CreateApiTokenSuccess:
    api_token: ApiToken
    token: str = strawberry.field(description="The secret, shown this once.")


@strawberry.type
class RevokeApiTokenSuccess:
    revoked_api_token_id: strawberry.ID


@strawberry.type
class TransferOwnershipSuccess:
    projects: list[Project]
    tokens: list[ApiToken]
    reissued_tokens: list[ReissuedApiToken] = strawberry.field(
        description="The moved tokens with their new secrets, shown this once. The previous "
        "owner knew the old secrets, so those stop working: give these to the integrations."
    )


@strawberry.type
class ReissuedApiToken:
    api_token: ApiToken
    token: str


@strawberry.input
class TransferOwnershipInput:
    from_user_id: strawberry.ID
    to_user_id: strawberry.ID
    project_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Which projects to move; all of them when left out."
    )
    token_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Which tokens to move; all of them when left out. Moved tokens get new "
        "secrets, so a request made with an API token may move none (give [] to move only "
        "projects).",
    )
