from __future__ import annotations

import uuid
import weakref
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from models import ApiToken as ApiTokenModel
from models import Project as ProjectModel
from schema.context import Info
from schema.plans import MISS, preloaded
from schema.types.node import Node
from schema.types.pagination import CURSOR, EDGES, PAGE_INFO, TOTAL_COUNT, PageInfo
from schema.types.row_nodes import Derived, RowNodes

if TYPE_CHECKING:
    from schema.types.users import User


@strawberry.type(name="Project", description="A project of a tenant, owned by one of its users.")
class Project(Node):
    name: str = strawberry.field(description="The project's name; unique in its tenant.")
    created_at: datetime = strawberry.field(description="When the project was created.")
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

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> list[Project]:
        """From rows of schema.loaders.PROJECT_COLUMNS."""
        return _ROW_NODES.make(rows)

    @strawberry.field(description="The user who owns the project (transferOwnership moves it).")
    def owner(self, info: Info) -> Annotated[User, strawberry.lazy("schema.types.users")]:
        return _owner(self, info)


def _preloaded_owner(owned: Project | ApiToken) -> Any:
    """What a plan reads instead of calling `owner` (schema/plans.py)."""
    owner = owned.preloaded_owner() if owned.preloaded_owner is not None else None
    return owner if owner is not None else MISS


def _owner(owned: Project | ApiToken, info: Info) -> Any:
    """A project's or token's `owner`: the preloaded one, synchronously (a synchronous field
    costs a fraction of an async one); otherwise an awaitable the executor awaits."""
    owner = _preloaded_owner(owned)
    return _load_owner(owned.owner_id, info) if owner is MISS else owner


async def _load_owner(owner_id: uuid.UUID, info: Info) -> User:
    from schema.types.users import User

    return User.from_model(await info.context.loaders.user.load(owner_id))


_ROW_NODES = RowNodes(
    Project,
    {"id": Derived(("id",), str), "name": "name", "created_at": "created_at",
     "owner_id": "owner_id"},
)  # fmt: skip

preloaded("Project", "owner", _preloaded_owner)


@strawberry.type(
    name="ApiToken",
    description="A credential for programs: sent as 'Authorization: Bearer <token>', a request "
    "acts as the token's owner (except where a field says: not with an API token). The secret "
    "is shown once, when the token is created or reissued.",
)
class ApiToken(Node):
    name: str = strawberry.field(description="What the token is for, as its creator named it.")
    prefix: str = strawberry.field(
        description="The first characters of the secret, to tell tokens apart. Never the secret."
    )
    created_at: datetime = strawberry.field(description="When the token was created.")
    last_used_at: datetime | None = strawberry.field(
        description="When a request last came with it (updated at most once a minute); null "
        "if never."
    )
    expires_at: datetime | None = strawberry.field(
        description="From then on the token answers like an unknown one. Null: until revoked."
    )
    owner_id: strawberry.Private[uuid.UUID]
    # As Project's: weak, since the owner's node lists the token in turn.
    preloaded_owner: strawberry.Private[weakref.ReferenceType[Any] | None] = None

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

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> list[ApiToken]:
        """From rows of schema.loaders.TOKEN_COLUMNS."""
        return _TOKEN_ROW_NODES.make(rows)

    @strawberry.field(description="The user the token acts as.")
    def owner(self, info: Info) -> Annotated[User, strawberry.lazy("schema.types.users")]:
        return _owner(self, info)


_TOKEN_ROW_NODES = RowNodes(
    ApiToken,
    {"id": Derived(("id",), str), "name": "name", "prefix": "prefix",
     "created_at": "created_at", "last_used_at": "last_used_at", "expires_at": "expires_at",
     "owner_id": "owner_id"},
)  # fmt: skip

preloaded("ApiToken", "owner", _preloaded_owner)


@strawberry.type(description="A project in a page of projects, with its cursor.")
class ProjectEdge:
    node: Project = strawberry.field(description="The project.")
    cursor: str = strawberry.field(description=CURSOR)


@strawberry.type(description="A page of projects (a Relay connection).")
class ProjectConnection:
    edges: list[ProjectEdge] = strawberry.field(description=EDGES)
    page_info: PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description=TOTAL_COUNT)


@strawberry.type(description="The project as the mutation left it.")
class ProjectPayload:
    project: Project = strawberry.field(description="The project, created.")


@strawberry.type(description="The project is gone.")
class DeleteProjectSuccess:
    deleted_project_id: strawberry.ID = strawberry.field(
        description="The deleted project's ID (drop it from caches)."
    )


@strawberry.type(description="The API token is created; its secret is in `token`, this once.")
class CreateApiTokenSuccess:
    api_token: ApiToken = strawberry.field(description="The new token (without its secret).")
    token: str = strawberry.field(description="The secret, shown this once.")


@strawberry.type(description="The API token is revoked: requests made with it now fail.")
class RevokeApiTokenSuccess:
    revoked_api_token_id: strawberry.ID = strawberry.field(
        description="The revoked token's ID (drop it from caches)."
    )


@strawberry.type(description="The objects now belong to the receiving user.")
class TransferOwnershipSuccess:
    projects: list[Project] = strawberry.field(description="The projects moved.")
    tokens: list[ApiToken] = strawberry.field(description="The API tokens moved.")
    reissued_tokens: list[ReissuedApiToken] = strawberry.field(
        description="The moved tokens with their new secrets, shown this once. The previous "
        "owner knew the old secrets, so those stop working: give these to the integrations."
    )


@strawberry.type(description="A moved API token with its new secret.")
class ReissuedApiToken:
    api_token: ApiToken = strawberry.field(description="The token, now the receiver's.")
    token: str = strawberry.field(description="Its new secret, shown this once.")


@strawberry.input(description="Move projects and API tokens from one user to another.")
class TransferOwnershipInput:
    from_user_id: strawberry.ID = strawberry.field(description="The user who owns them now.")
    to_user_id: strawberry.ID = strawberry.field(
        description="The user who will own them: an admin or member of the same tenant."
    )
    project_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Which projects to move; all of them when left out."
    )
    token_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Which tokens to move; all of them when left out. Moved tokens get new "
        "secrets, so a request made with an API token may move none (give [] to move only "
        "projects).",
    )
