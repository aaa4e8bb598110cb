"""me, users, user, updateUser, setSuperuser."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import users
from domain.errors import NotFound as NotFoundError
from models import Tenant as TenantModel
from models import User as UserModel
from permissions import graphql as can
from permissions.rules import Op, allowed
from resolvers.common import actor, expected_failures
from resolvers.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Before,
    First,
    Last,
    Later,
    page_request,
    paginate,
)
from resolvers.preload import (
    needs_preloading,
    page_columns,
    preload_users,
    selected_node_fields,
)
from schema.context import Info
from schema.enums import Role, UserStatus
from schema.errors import (
    AlreadyExists,
    EmailNotConfigured,
    LastAdmin,
    LastSuperuser,
    NotFound,
    RateLimited,
    ValidationError,
)
from schema.types.tenants import Tenant
from schema.types.users import (
    UpdateUserInput,
    User,
    UserConnection,
    UserEdge,
    UserPayload,
    row_columns,
)

UpdateUserResult = Annotated[
    UserPayload
    | NotFound
    | ValidationError
    | AlreadyExists
    | LastAdmin
    | RateLimited
    | EmailNotConfigured,
    strawberry.union("UpdateUserResult", description="updateUser's answer."),
]
SetSuperuserResult = Annotated[
    UserPayload | NotFound | LastSuperuser,
    strawberry.union("SetSuperuserResult", description="setSuperuser's answer."),
]


@strawberry.type
class UserQueries:
    @strawberry.field(description="The signed-in user, or null.")
    async def me(self, info: Info) -> User | None:
        user = info.context.user
        if not user:
            return None
        node = User.from_model(user)
        # The session's lookup read the tenant with the user (an API token's may not have).
        if isinstance(tenant := user.tenant, TenantModel):
            node.preloaded_tenant = Tenant.from_model(tenant)
        return await _preloaded(info, node)

    @strawberry.field(
        description="Users of the caller's tenant; superusers: of every tenant, or of "
        "tenantId when given (each node's tenant says whose). Guests may not list users.",
        extensions=[PermissionExtension([can.ListUsers()])],
    )
    async def users(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        last: Last = None,
        before: Before = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="Only users whose username or e-mail contains this text, whatever "
                "the case."
            ),
        ] = None,
        role: Annotated[
            Role | None, strawberry.argument(description="Only users of this role.")
        ] = None,
        tenant_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Superusers: only this tenant's users. Left out, superusers list "
                "every tenant's users; everyone else always lists their own tenant's."
            ),
        ] = None,
        status: Annotated[
            UserStatus | None,
            strawberry.argument(description="Only users of this status; all when left out."),
        ] = None,
    ) -> UserConnection:
        wanted = page_request(info, first=first, after=after, last=last, before=before)
        # Plain rows, not model instances: building 100 instances cost as much as the query
        # (about 1 ms, half the page's database time on PostgreSQL), and the nodes read only
        # these columns. The user loader is therefore not primed with the page: a nested
        # `owner` of a token loads its users in one batched query instead.
        # The whole page's relations: the tenant joined into the page's query, the projects
        # in one more; the fields then answer synchronously.
        selected = selected_node_fields(info, "edges", "node")
        columns = page_columns(row_columns(selected), selected)
        unfiltered = not search and role is None and status is None
        plainly = users.users_in_reach_unfiltered(actor(info), tenant_id) if unfiltered else None
        listed = Later(UserModel, lambda: users.users_in_reach(
            actor(info), tenant_id=tenant_id, search=search, role=role, status=status
        ))  # fmt: skip
        page = await paginate(
            listed, wanted, order_by="username_key", columns=columns, plainly=plainly, stored=True
        )
        # The edges stay rows until read: a plan answers a page of plain fields straight
        # from them (schema/plans.py row_form), without a node or an edge object per row.
        page_edges = User.edges_from_rows(UserEdge, page.rows, page.cursors)
        if needs_preloading(selected):
            await preload_users(info.context.loaders, page_edges.nodes, selected, page.rows)
        return UserConnection(
            edges=page_edges,
            page_info=page.page_info,
            total_count=page.total_count or 0,
        )

    @strawberry.field(
        description="A user by ID, when the caller may list them; null otherwise. Guests may "
        "read only themselves (FORBIDDEN for any other ID).",
        extensions=[PermissionExtension([can.SignedIn()])],
    )
    async def user(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The user's ID.")],
    ) -> User | None:
        if not allowed(actor(info), Op.LIST_USERS) and not users.is_self(actor(info), id):
            # Guests read only themselves: FORBIDDEN for any other ID, existing or not.
            raise can.Forbidden()
        try:
            user = await users.access_user_by_id(actor(info), id, Op.LIST_USERS)
        except NotFoundError:
            return None
        return await _preloaded(info, User.from_model(user))


async def _preloaded(info: Info, node: User) -> User:
    """One user with what its selection reads preloaded, as a page's (resolvers/preload.py):
    a plan then answers it whole."""
    selected = selected_node_fields(info)
    if needs_preloading(selected):
        await preload_users(info.context.loaders, [node], selected)
    return node


@strawberry.type
class UserMutations:
    @strawberry.mutation(
        description="Change one's own e-mail, or (admins, superusers) another user's e-mail "
        "or role. A new address takes effect once it confirms the link mailed to it "
        "(confirmEmailChange; `User.pendingEmail` until then), and the old address is told; "
        "the current address cancels a pending change. Not with an API token for a new "
        "address.",
        extensions=[PermissionExtension([can.SignedIn()])],
    )
    @expected_failures
    async def update_user(
        self,
        info: Info,
        input: Annotated[UpdateUserInput, strawberry.argument(description="The changes.")],
    ) -> UpdateUserResult:
        user = await users.update_user(actor(info), input.id, email=input.email, role=input.role)
        return UserPayload(user=User.from_model(user))

    @strawberry.mutation(
        description="Grant or revoke the superuser bit; never revokes the last superuser's.",
        extensions=[PermissionExtension([can.SetSuperuser()])],
    )
    @expected_failures
    async def set_superuser(
        self,
        info: Info,
        user_id: Annotated[strawberry.ID, strawberry.argument(description="The user.")],
        superuser: Annotated[
            bool, strawberry.argument(description="true grants the bit, false revokes it.")
        ],
    ) -> SetSuperuserResult:
        user = await users.set_superuser(actor(info), user_id, superuser)
        return UserPayload(user=User.from_model(user))
