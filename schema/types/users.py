from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.permission import PermissionExtension

from models import User as UserModel
from models.users import status_of
from permissions.graphql import ViewOwnedObjects
from schema.context import Info
from schema.enums import AuthMethod, Role, UserStatus
from schema.types.node import Node
from schema.types.pagination import PageInfo
from schema.types.tenants import Tenant

if TYPE_CHECKING:
    from schema.types.projects import ApiToken, Project


# The columns User.from_row reads.
ROW_COLUMNS = (
    "id", "tenant_id", "username", "email", "role", "auth_method", "superuser", "created_at",
    "last_login_at", "email_verified", "deactivated_at", "pending_email",
)  # fmt: skip


@strawberry.type(name="User")
class User(Node):
    id: strawberry.ID
    username: str
    email: str
    role: Role
    auth_method: AuthMethod
    superuser: bool
    created_at: datetime
    last_login_at: datetime | None
    status: UserStatus = strawberry.field(
        description="DEACTIVATED: signs in by no method, no session or API token of theirs "
        "works; what they own stays theirs. PENDING_VERIFICATION: a self sign-up whose "
        "address is not confirmed yet."
    )
    pending_email: str | None = strawberry.field(
        description="A new address waiting for its confirmation link; the user's e-mail "
        "changes when it is confirmed."
    )
    pk: strawberry.Private[uuid.UUID]
    tenant_id: strawberry.Private[uuid.UUID]
    # Filled by list resolvers that load a whole page in a few queries (resolvers/preload.py
    # preload_users): the fields below then answer synchronously, without a loader round trip.
    preloaded_tenant: strawberry.Private[Tenant | None] = None
    preloaded_projects: strawberry.Private[list[Any] | None] = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> User:
        """From a row of ROW_COLUMNS (a list page loads just those: resolvers/users.py)."""
        return cls(
            id=strawberry.ID(str(row["id"])),
            username=row["username"],
            email=row["email"],
            role=row["role"],
            auth_method=row["auth_method"],
            superuser=row["superuser"],
            created_at=row["created_at"],
            last_login_at=row["last_login_at"],
            status=status_of(
                deactivated=row["deactivated_at"] is not None, verified=row["email_verified"]
            ),
            pending_email=row["pending_email"],
            pk=row["id"],
            tenant_id=row["tenant_id"],
        )

    @classmethod
    def from_model(cls, user: UserModel) -> User:
        return cls(
            id=strawberry.ID(str(user.id)),
            username=user.username,
            email=user.email,
            role=user.role,
            auth_method=user.auth_method,
            superuser=user.superuser,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
            status=user.status,
            pending_email=user.pending_email,
            pk=user.id,
            tenant_id=user.tenant_id,  # type: ignore[attr-defined]
        )

    @strawberry.field
    def tenant(self, info: Info) -> Tenant:
        # Synchronous when preloaded (a synchronous field costs a fraction of an async one);
        # otherwise an awaitable the executor awaits.
        if self.preloaded_tenant is not None:
            return self.preloaded_tenant
        return self._load_tenant(info)  # type: ignore[return-value]

    async def _load_tenant(self, info: Info) -> Tenant:
        return Tenant.from_model(await info.context.loaders.tenant.load(self.tenant_id))

    @strawberry.field(description="The user has a second factor: TOTP or a passkey.")
    async def mfa_enabled(self, info: Info) -> bool:
        return bool(await info.context.loaders.mfa_enabled.load(self.pk))

    @strawberry.field(
        description="Projects this user owns. Visible to the user, tenant admins and superusers.",
        extensions=[PermissionExtension([ViewOwnedObjects()])],
    )
    def owned_projects(
        self, info: Info
    ) -> list[Annotated[Project, strawberry.lazy("schema.types.projects")]] | None:
        # Synchronous when preloaded (like `tenant`); otherwise an awaitable the executor awaits.
        if self.preloaded_projects is not None:
            return self.preloaded_projects
        return self._load_projects(info)  # type: ignore[return-value]

    async def _load_projects(self, info: Info) -> list[Any]:
        from schema.types.projects import Project

        projects = await info.context.loaders.projects_by_owner.load(self.pk)
        return [Project.from_model(p) for p in projects]

    @strawberry.field(
        description="API tokens this user owns. Visible to the user, tenant admins and superusers.",
        extensions=[PermissionExtension([ViewOwnedObjects()])],
    )
    async def owned_tokens(
        self, info: Info
    ) -> list[Annotated[ApiToken, strawberry.lazy("schema.types.projects")]] | None:
        from schema.types.projects import ApiToken

        tokens = await info.context.loaders.tokens_by_owner.load(self.pk)
        return [ApiToken.from_model(t) for t in tokens]


@strawberry.type
class UserEdge:
    node: User
    cursor: str


@strawberry.type
class UserConnection:
    edges: list[UserEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class UserPayload:
    user: User


@strawberry.type
class LoginSuccess:
    user: User
    session_token: str = strawberry.field(
        description="Also set as an HttpOnly session cookie. "
        "Send as 'Authorization: Bearer <token>' from non-browser clients."
    )


@strawberry.type
class LogoutSuccess:
    ok: bool


@strawberry.input
class LoginInput:
    tenant: str
    username: str
    password: str


@strawberry.input
class UpdateUserInput:
    id: strawberry.ID
    email: str | None = None
    role: Role | None = None


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str
