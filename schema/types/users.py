from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from strawberry.permission import PermissionExtension

from models import User as UserModel
from models.plain_rows import enum_members
from models.users import status_of
from permissions.graphql import ViewOwnedObjects
from permissions.rules import may_see_user
from schema.context import Info
from schema.enums import AuthMethod, Role, UserStatus
from schema.plans import MISS, preloaded
from schema.types.node import Node
from schema.types.pagination import CURSOR, EDGES, PAGE_INFO, TOTAL_COUNT, PageInfo
from schema.types.row_nodes import Derived, RowEdges, RowNodes
from schema.types.tenants import Tenant

if TYPE_CHECKING:
    from schema.types.projects import ApiToken, Project


Edge = TypeVar("Edge")

# The columns each field of a User reads on a page of users (resolvers/users.py): a page
# reads only what its selection needs, beside the ID and tenant every node keeps (its
# relations and permission checks read them). A field missing here reads no column, as the
# fields with a resolver of their own (tests/users/test_page_columns.py holds the rest to it).
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "username": ("username",),
    "email": ("email",),
    "role": ("role",),
    "authMethod": ("auth_method",),
    "superuser": ("superuser",),
    "createdAt": ("created_at",),
    "lastLoginAt": ("last_login_at",),
    "status": ("deactivated_at", "email_verified"),
    "pendingEmail": ("pending_email",),
    "externalId": ("external_id",),
}
KEPT_COLUMNS = ("id", "tenant_id")


def row_columns(selected: Iterable[str]) -> tuple[str, ...]:
    """The columns User.from_rows needs for these selected fields."""
    wanted = dict.fromkeys(KEPT_COLUMNS)
    for name in selected:
        wanted.update(dict.fromkeys(FIELD_COLUMNS.get(name, ())))
    return tuple(wanted)


# Every column User.from_rows reads.
ROW_COLUMNS = row_columns(FIELD_COLUMNS)


@strawberry.type(name="User", description="A person's account in one tenant.")
class User(Node):
    username: str = strawberry.field(
        description="Signs the user in, with the tenant's name; unique in the tenant, "
        "compared without regard to case."
    )
    email: str = strawberry.field(description="Where the user's mail goes; unique in the tenant.")
    role: Role = strawberry.field(description="What the user may do in their tenant.")
    auth_method: AuthMethod = strawberry.field(description="How the user signs in.")
    superuser: bool = strawberry.field(
        description="Administers the whole instance: every tenant, instance settings."
    )
    created_at: datetime = strawberry.field(description="When the account was created.")
    last_login_at: datetime | None = strawberry.field(
        description="When the user last signed in; null if never."
    )
    status: UserStatus = strawberry.field(
        description="DEACTIVATED: signs in by no method, no session or API token of theirs "
        "works; what they own stays theirs. PENDING_VERIFICATION: a self sign-up whose "
        "address is not confirmed yet."
    )
    pending_email: str | None = strawberry.field(
        description="A new address waiting for its confirmation link; the user's e-mail "
        "changes when it is confirmed."
    )
    external_id: str | None = strawberry.field(
        description="The IdP's identifier for this user (SCIM externalId); null when no "
        "identity provider provisioned the user."
    )
    pk: strawberry.Private[uuid.UUID]
    tenant_id: strawberry.Private[uuid.UUID]
    # Filled by list resolvers that load a whole page in a few queries (resolvers/preload.py
    # preload_users): the fields below then answer synchronously, without a loader round trip.
    preloaded_tenant: strawberry.Private[Tenant | None] = None
    preloaded_projects: strawberry.Private[list[Any] | None] = None
    preloaded_tokens: strawberry.Private[list[Any] | None] = None
    preloaded_groups: strawberry.Private[list[str] | None] = None
    preloaded_mfa_enabled: strawberry.Private[bool | None] = None

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> list[User]:
        """From rows of `row_columns(selected)`: the fields the page does not select (and
        so reads no column for) are None, and nothing reads them."""
        return _ROW_NODES.make(rows)

    @classmethod
    def edges_from_rows(
        cls, edge: type[Edge], rows: Sequence[Mapping[str, Any]], cursors: Sequence[str]
    ) -> RowEdges[Edge]:
        """A page's edges of these rows (as `from_rows` makes their nodes) and cursors, made
        only when read."""
        return RowEdges(edge, _ROW_NODES, rows, cursors)

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
            external_id=user.external_id,
            pk=user.id,
            tenant_id=user.tenant_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The tenant the user belongs to.")
    def tenant(self, info: Info) -> Tenant:
        # Synchronous when preloaded (a synchronous field costs a fraction of an async one);
        # otherwise an awaitable the executor awaits.
        if self.preloaded_tenant is not None:
            return self.preloaded_tenant
        return self._load_tenant(info)  # type: ignore[return-value]

    async def _load_tenant(self, info: Info) -> Tenant:
        return Tenant.from_model(await info.context.loaders.tenant.load(self.tenant_id))

    @strawberry.field(
        description="IdP groups this user belongs to (SCIM groups, and the SAML groups "
        "attribute of their last sign-in); group-to-role mappings name them."
    )
    def groups(self, info: Info) -> list[str]:
        if self.preloaded_groups is not None:
            return self.preloaded_groups
        return self._load_groups(info)  # type: ignore[return-value]

    async def _load_groups(self, info: Info) -> list[str]:
        return list(await info.context.loaders.groups.load(self.pk))

    @strawberry.field(description="The user has a second factor: TOTP or a passkey.")
    def mfa_enabled(self, info: Info) -> bool:
        if self.preloaded_mfa_enabled is not None:
            return self.preloaded_mfa_enabled
        return self._load_mfa_enabled(info)  # type: ignore[return-value]

    async def _load_mfa_enabled(self, info: Info) -> bool:
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
    def owned_tokens(
        self, info: Info
    ) -> list[Annotated[ApiToken, strawberry.lazy("schema.types.projects")]] | None:
        if self.preloaded_tokens is not None:
            return self.preloaded_tokens
        return self._load_tokens(info)  # type: ignore[return-value]

    async def _load_tokens(self, info: Info) -> list[Any]:
        from schema.types.projects import ApiToken

        tokens = await info.context.loaders.tokens_by_owner.load(self.pk)
        return [ApiToken.from_model(t) for t in tokens]


# What the plans read instead of calling the fields with resolvers (schema/plans.py): the
# same preloaded values, the same check as ViewOwnedObjects for what one owns.


def _preloaded(attribute: str) -> Callable[[User], Any]:
    def read(user: User) -> Any:
        value = getattr(user, attribute)
        return value if value is not None else MISS

    return read


def shown_user(viewer: Any, user: UserModel | None) -> User | None:
    """A user reached through another object (an invitation's sender, an audit event's actor)
    as this reader is shown them: None when the user is gone or not the reader's to see (a
    superuser who acted in another tenant shows to its admins only by name)."""
    if user is None or not may_see_user(viewer, user_id=user.id, tenant_id=user.tenant_id):  # type: ignore[attr-defined]
        return None
    return User.from_model(user)


def _status(deactivated_at: datetime | None, email_verified: bool) -> UserStatus:
    return status_of(deactivated=deactivated_at is not None, verified=email_verified)


# Where a node's fields come from in a page's rows: the columns of one field named as the
# field, copied; the ID as text, the private keys, the status from its two columns.
_ROW_NODES = RowNodes(
    User,
    {
        **{columns[0]: columns[0] for columns in FIELD_COLUMNS.values() if len(columns) == 1},
        "id": Derived(("id",), str),
        "pk": "id",
        "tenant_id": "tenant_id",
        "status": Derived(FIELD_COLUMNS["status"], _status),
    },
    lambda: enum_members(UserModel, ROW_COLUMNS),
)

preloaded("User", "tenant", _preloaded("preloaded_tenant"))
preloaded("User", "ownedProjects", _preloaded("preloaded_projects"), ViewOwnedObjects.allows_in)
preloaded("User", "ownedTokens", _preloaded("preloaded_tokens"), ViewOwnedObjects.allows_in)
preloaded("User", "groups", _preloaded("preloaded_groups"))
preloaded("User", "mfaEnabled", _preloaded("preloaded_mfa_enabled"))


@strawberry.type(description="A user in a page of users, with its cursor.")
class UserEdge:
    node: User = strawberry.field(description="The user.")
    cursor: str = strawberry.field(description=CURSOR)


@strawberry.type(description="A page of users (a Relay connection).")
class UserConnection:
    edges: list[UserEdge] = strawberry.field(description=EDGES)
    page_info: PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description=TOTAL_COUNT)


@strawberry.type(description="The user as the mutation left them.")
class UserPayload:
    user: User = strawberry.field(description="The user, changed.")


@strawberry.type(description="Signed in: a new session for this user.")
class LoginSuccess:
    user: User = strawberry.field(description="Who is now signed in.")
    session_token: str = strawberry.field(
        description="Also set as an HttpOnly session cookie. "
        "Send as 'Authorization: Bearer <token>' from non-browser clients."
    )


@strawberry.type(description="Signed out: the session ended and its cookie is cleared.")
class LogoutSuccess:
    ok: bool = strawberry.field(description="Always true.")


@strawberry.input(description="Sign in with a username and password (PASSWORD or PAM users).")
class LoginInput:
    tenant: str = strawberry.field(description="The tenant's name, as the user knows it.")
    username: str = strawberry.field(description="The username within that tenant.")
    password: str = strawberry.field(
        description="The password (for PAM users, their system password)."
    )


@strawberry.input(description="Change a user's e-mail or role; fields left out stay as they are.")
class UpdateUserInput:
    id: strawberry.ID = strawberry.field(description="The user to change.")
    email: str | None = strawberry.field(
        default=None,
        description="The new address: one's own, or as an admin a user of one's tenant.",
    )
    role: Role | None = strawberry.field(
        default=None,
        description="The new role: admins (their tenant) and superusers only; never leaves a "
        "tenant without an admin.",
    )


@strawberry.input(description="Change one's own password (PASSWORD users).")
class ChangePasswordInput:
    current_password: str = strawberry.field(description="The password in use now.")
    new_password: str = strawberry.field(
        description="The new password; the instance's password rules apply."
    )
