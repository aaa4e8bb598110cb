"""invitationChanged, userChanged: served over WebSocket (graphql-transport-ws).

Each change is read again for its subscriber: the object with the caller's reach as read for
this change, and the fields with fresh loaders (nothing cached outlives one delivery)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.permission import PermissionExtension

from domain import errors, invitations, users
from domain.events import ChangeKind, FeedEnded, Subject
from domain.subscriptions import SignedOut, changes_in_reach
from permissions import graphql as can
from permissions.rules import Actor, Op
from resolvers.common import actor
from schema.context import Info
from schema.loaders import Loaders
from schema.types.invitations import Invitation
from schema.types.subscriptions import InvitationChange, UserChange
from schema.types.users import User

# Which tenant's changes a superuser follows; everyone else follows their own tenant.
TenantId = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="Superusers: only this tenant's changes (every tenant's when left out). "
        "Others always follow their own tenant."
    ),
]


class SubscriptionEnded(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "SUBSCRIPTION_ENDED"})


async def _changes(
    info: Info, subject: Subject, tenant_id: strawberry.ID | None
) -> AsyncIterator[tuple[Actor, ChangeKind, str]]:
    context = info.context

    async def recheck() -> Actor | None:
        return await context.reidentify() if context.reidentify else None

    try:
        async for caller, change in changes_in_reach(actor(info), subject, tenant_id, recheck):
            context.loaders = Loaders()
            yield caller, change.kind, str(change.id)
    except SignedOut:
        raise can.Unauthenticated() from None
    except errors.Forbidden:
        raise can.Forbidden() from None
    except FeedEnded as ended:
        raise SubscriptionEnded(ended.reason) from None


@strawberry.type
class ChangeSubscriptions:
    @strawberry.subscription(
        description="Invitations in the caller's reach: admins their tenant's, members their "
        "own, superusers tenantId's or all.",
        extensions=[PermissionExtension([can.ManageInvitations()])],
    )
    async def invitation_changed(
        self, info: Info, tenant_id: TenantId = None
    ) -> AsyncGenerator[InvitationChange, None]:
        async for caller, kind, object_id in _changes(info, Subject.INVITATION, tenant_id):
            found = None
            if kind is not ChangeKind.DELETED:
                try:
                    found = Invitation.from_model(
                        await invitations.access_invitation(caller, object_id)
                    )
                except errors.NotFound:
                    continue  # gone meanwhile: its DELETED follows
            yield InvitationChange(
                kind=kind, invitation_id=strawberry.ID(object_id), invitation=found
            )

    @strawberry.subscription(
        description="Users in the caller's reach joining, changing (role, status, e-mail) or "
        "leaving. Guests receive nothing.",
        extensions=[PermissionExtension([can.ListUsers()])],
    )
    async def user_changed(
        self, info: Info, tenant_id: TenantId = None
    ) -> AsyncGenerator[UserChange, None]:
        async for caller, kind, object_id in _changes(info, Subject.USER, tenant_id):
            found = None
            if kind is not ChangeKind.DELETED:
                try:
                    found = User.from_model(
                        await users.access_user_by_id(caller, object_id, Op.LIST_USERS)
                    )
                except errors.NotFound:
                    continue
            yield UserChange(kind=kind, user_id=strawberry.ID(object_id), user=found)
