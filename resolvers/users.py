"""me, users, user, updateUser, setSuperuser."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import users
from domain.errors import NotFound as NotFoundError
from permissions import graphql as can
from permissions.rules import Op, allowed
from resolvers.common import actor, expected_failures
from resolvers.pagination import DEFAULT_PAGE_SIZE, page_request, paginate
from resolvers.preload import preload_users, selected_node_fields
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
from schema.types.users import ROW_COLUMNS as USER_COLUMNS
from schema.types.users import UpdateUserInput, User, UserConnection, UserEdge, UserPayload

UpdateUserResult = Annotated[
    UserPayload
    | NotFound
    | ValidationError
    | AlreadyExists
    | LastAdmin
    | RateLimited
    | EmailNotConfigured,
    strawberry.union("UpdateUserResult"),
]
SetSuperuserResult = Annotated[
    UserPayload | NotFound | LastSuperuser, strawberry.union("SetSuperuserResult")
]


@strawberry.type
class UserQueries:
    @strawberry.field(description="The signed-in user, or null.")
    async def me(self, info: Info) -> User | None:
        user = info.context.user
        return User.from_model(user) if user else None

    @strawberry.field(
        description="Users of the caller's tenant (superusers: of tenantId when given). "
        "Guests may not list users.",
        extensions=[PermissionExtension([can.ListUsers()])],
    )
    async def users(
        self,
        info: Info,
        first: int | None = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
        role: Role | None = None,
        tenant_id: strawberry.ID | None = None,
        status: Annotated[
            UserStatus | None,
            strawberry.argument(description="Only users of this status; all when left out."),
        ] = None,
    ) -> UserConnection:
        query = users.users_in_reach(
            actor(info), tenant_id=tenant_id, search=search, role=role, status=status
        )
        wanted = page_request(info, first=first, after=after, last=last, before=before)
        # Plain rows, not model instances: building 100 instances cost as much as the query
        # (about 1 ms, half the page's database time on PostgreSQL), and the nodes read only
        # these columns. The user loader is therefore not primed with the page: a nested
        # `owner` of a token loads its users in one batched query instead.
        page = await paginate(query, wanted, order_by="username_key", columns=USER_COLUMNS)
        nodes = [User.from_row(row) for row in page.rows]
        # The whole page's relations in one query each; the fields then answer synchronously.
        selected = selected_node_fields(info, "edges", "node")
        await preload_users(info.context.loaders, nodes, selected)
        return UserConnection(
            edges=[
                UserEdge(node=node, cursor=cursor)
                for node, cursor in zip(nodes, page.cursors, strict=True)
            ],
            page_info=page.page_info,
            total_count=page.total_count or 0,
        )

    @strawberry.field(extensions=[PermissionExtension([can.SignedIn()])])
    async def user(self, info: Info, id: strawberry.ID) -> User | None:
        if not allowed(actor(info), Op.LIST_USERS) and not users.is_self(actor(info), id):
            # Guests read only themselves: FORBIDDEN for any other ID, existing or not.
            raise can.Forbidden()
        try:
            return User.from_model(await users.access_user_by_id(actor(info), id, Op.LIST_USERS))
        except NotFoundError:
            return None


@strawberry.type
class UserMutations:
    @strawberry.mutation(
        description="Change a user's role, or e-mail address. A new address takes effect once "
        "it confirms the link mailed to it (confirmEmailChange; `User.pendingEmail` until "
        "then), and the old address is told; the current address cancels a pending change. "
        "Not with an API token for a new address.",
        extensions=[PermissionExtension([can.SignedIn()])],
    )
    @expected_failures
    async def update_user(self, info: Info, input: UpdateUserInput) -> UpdateUserResult:
        user = await users.update_user(actor(info), input.id, email=input.email, role=input.role)
        return UserPayload(user=User.from_model(user))

    @strawberry.mutation(extensions=[PermissionExtension([can.SetSuperuser()])])
    @expected_failures
    async def set_superuser(
        self, info: Info, user_id: strawberry.ID, superuser: bool
    ) -> SetSuperuserResult:
        user = await users.set_superuser(actor(info), user_id, superuser)
        return UserPayload(user=User.from_model(user))
