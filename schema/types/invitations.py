from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from domain.invitations import Preview, invitation_link
from models import Invitation as InvitationModel
from permissions.graphql import Forbidden
from permissions.rules import Op, may_see_invitation_link, may_see_user, refusal
from schema.context import Info
from schema.enums import AuthMethod, EmailStatus, Role
from schema.types.node import Node
from schema.types.pagination import PageInfo
from schema.types.users import User


@strawberry.type(name="Invitation")
class Invitation(Node):
    id: strawberry.ID
    username: str
    email: str
    role: Role
    auth_method: AuthMethod
    created_at: datetime
    expires_at: datetime
    email_status: EmailStatus
    email_error: str | None = strawberry.field(
        description="Why the last e-mail failed, when it did."
    )
    last_sent_at: datetime | None
    row: strawberry.Private[InvitationModel]

    @classmethod
    def from_model(cls, invitation: InvitationModel) -> Invitation:
        return cls(
            id=strawberry.ID(str(invitation.id)),
            username=invitation.username,
            email=invitation.email,
            role=invitation.role,
            auth_method=invitation.auth_method,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
            email_status=invitation.email_status,
            email_error=invitation.email_error,
            last_sent_at=invitation.last_sent_at,
            row=invitation,
        )

    @strawberry.field
    async def invited_by(self, info: Info) -> User | None:
        inviter_id: uuid.UUID | None = self.row.invited_by_id  # type: ignore[attr-defined]
        if inviter_id is None:
            return None
        user = await info.context.loaders.user.load(inviter_id)
        # A superuser may invite into another tenant: its admins do not get to see them.
        if user is None or not may_see_user(
            info.context.actor, user_id=user.id, tenant_id=user.tenant_id
        ):
            return None
        return User.from_model(user)

    @strawberry.field(
        description="The private invitation link (Copy Invite Link). Admins and the inviter "
        "only, never to a request made with an API token. It works alongside the e-mailed one."
    )
    def link(self, info: Info) -> str | None:
        actor = info.context.actor
        if not may_see_invitation_link(
            actor,
            tenant_id=self.row.tenant_id,  # type: ignore[attr-defined]
            invited_by_id=self.row.invited_by_id,  # type: ignore[attr-defined]
        ):
            raise Forbidden(refusal(actor, Op.SEE_INVITATION_LINK) or "You may not do this.")
        return invitation_link(self.row)


@strawberry.type
class InvitationEdge:
    node: Invitation
    cursor: str


@strawberry.type
class InvitationConnection:
    edges: list[InvitationEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(
    description="What an invitation link shows before it is accepted. "
    "Public: anyone holding the token may read it."
)
class InvitationPreview:
    tenant_name: str
    username: str
    email: str
    auth_method: AuthMethod
    expires_at: datetime

    @classmethod
    def from_domain(cls, preview: Preview) -> InvitationPreview:
        return cls(
            tenant_name=preview.tenant_name,
            username=preview.username,
            email=preview.email,
            auth_method=preview.auth_method,
            expires_at=preview.expires_at,
        )


@strawberry.type
class InvitationPayload:
    invitation: Invitation


@strawberry.type
class DeleteInvitationSuccess:
    deleted_invitation_id: strawberry.ID


@strawberry.input
class SendInvitationInput:
    username: str
    email: str
    role: Role
    auth_method: AuthMethod = AuthMethod.PASSWORD
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Superusers only: invite into another tenant. Defaults to the caller's tenant.",
    )


@strawberry.input
class AcceptInvitationInput:
    token: str
    password: str | None = strawberry.field(
        default=None,
        description="Required for PASSWORD invitations; for PAM, the system password of the "
        "invited username.",
    )
