from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import strawberry

from domain.invitations import Preview, invitation_link
from models import Invitation as InvitationModel
from permissions.graphql import Forbidden
from permissions.rules import Op, may_see_invitation_link, refusal
from schema.context import Info
from schema.enums import AuthMethod, EmailStatus, Role
from schema.errors import (
    AlreadyExists,
    EmailNotConfigured,
    RateLimited,
    ValidationError,
)
from schema.plans import MISS, preloaded
from schema.types.node import Node
from schema.types.pagination import CURSOR, EDGES, PAGE_INFO, TOTAL_COUNT, PageInfo
from schema.types.users import User, shown_user


@strawberry.type(
    name="Invitation",
    description="An invitation: a link, mailed to an address, that creates a user when "
    "accepted. Accepted and deleted invitations are gone; expired ones stay listed, to be "
    "resent.",
)
class Invitation(Node):
    username: str = strawberry.field(description="The username the invited user will have.")
    email: str = strawberry.field(description="Where the invitation is mailed.")
    role: Role = strawberry.field(description="The role the invited user will have.")
    auth_method: AuthMethod = strawberry.field(description="How the invited user will sign in.")
    created_at: datetime = strawberry.field(description="When the invitation was sent.")
    expires_at: datetime = strawberry.field(
        description="After this the link no longer works (resendInvitation renews it)."
    )
    email_status: EmailStatus = strawberry.field(description="Where the last e-mail is.")
    email_error: str | None = strawberry.field(
        description="Why the last e-mail failed, when it did."
    )
    last_sent_at: datetime | None = strawberry.field(
        description="When the e-mail last went out; null until the mail server took it."
    )
    row: strawberry.Private[InvitationModel]
    # The sender as this reader is shown them, when the page preloaded it (resolvers/preload.py).
    preloaded_inviter: strawberry.Private[Any] = MISS

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

    @strawberry.field(
        description="Who sent the invitation; null when that user is gone or the reader may "
        "not see them."
    )
    def invited_by(self, info: Info) -> User | None:
        # Synchronous when preloaded; otherwise an awaitable the executor awaits.
        if self.preloaded_inviter is not MISS:
            return self.preloaded_inviter  # type: ignore[no-any-return]
        return self._load_inviter(info)  # type: ignore[return-value]

    async def _load_inviter(self, info: Info) -> User | None:
        inviter_id: uuid.UUID | None = self.row.invited_by_id  # type: ignore[attr-defined]
        if inviter_id is None:
            return None
        # A superuser may invite into another tenant: its admins do not get to see them.
        return shown_user(info.context.actor, await info.context.loaders.user.load(inviter_id))

    @strawberry.field(
        description="The private invitation link (Copy Invite Link). Admins and the inviter "
        "only, never to a request made with an API token. It works alongside the e-mailed one."
    )
    def link(self, info: Info) -> str | None:
        actor = info.context.actor
        if not _may_see_link(actor, self):
            raise Forbidden(refusal(actor, Op.SEE_INVITATION_LINK) or "You may not do this.")
        return invitation_link(self.row)


def _may_see_link(actor: Any, invitation: Invitation) -> bool:
    return may_see_invitation_link(
        actor,
        tenant_id=invitation.row.tenant_id,  # type: ignore[attr-defined]
        invited_by_id=invitation.row.invited_by_id,  # type: ignore[attr-defined]
    )


# What the plans read instead of calling the fields with resolvers (schema/plans.py): the
# sender the page preloaded; the link, a pure function of the row, after the same check.
preloaded("Invitation", "invitedBy", lambda invitation: invitation.preloaded_inviter)
preloaded(
    "Invitation", "link", lambda invitation: invitation_link(invitation.row),
    lambda context, invitation: _may_see_link(context.actor, invitation),
)  # fmt: skip


@strawberry.type(description="An invitation in a page of invitations, with its cursor.")
class InvitationEdge:
    node: Invitation = strawberry.field(description="The invitation.")
    cursor: str = strawberry.field(description=CURSOR)


@strawberry.type(description="A page of invitations (a Relay connection).")
class InvitationConnection:
    edges: list[InvitationEdge] = strawberry.field(description=EDGES)
    page_info: PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description=TOTAL_COUNT)


@strawberry.type(
    description="What an invitation link shows before it is accepted. "
    "Public: anyone holding the token may read it."
)
class InvitationPreview:
    tenant_name: str = strawberry.field(description="The tenant the invitation is into.")
    username: str = strawberry.field(description="The username the new user will have.")
    email: str = strawberry.field(description="The address the invitation was sent to.")
    auth_method: AuthMethod = strawberry.field(
        description="How the new user will sign in (PASSWORD: acceptInvitation sets one)."
    )
    expires_at: datetime = strawberry.field(description="After this the link no longer works.")

    @classmethod
    def from_domain(cls, preview: Preview) -> InvitationPreview:
        return cls(
            tenant_name=preview.tenant_name,
            username=preview.username,
            email=preview.email,
            auth_method=preview.auth_method,
            expires_at=preview.expires_at,
        )


@strawberry.type(description="The invitation as the mutation left it.")
class InvitationPayload:
    invitation: Invitation = strawberry.field(description="The invitation, sent.")


SendInvitationResult = Annotated[
    InvitationPayload | ValidationError | AlreadyExists | EmailNotConfigured | RateLimited,
    strawberry.union("SendInvitationResult", description="sendInvitation's answer."),
]


@strawberry.type(description="One row of a sendInvitations batch, with its answer.")
class SendInvitationsRow:
    index: int = strawberry.field(description="The row's position in the input list.")
    result: SendInvitationResult = strawberry.field(
        description="The row's invitation, or why it was not sent: the errors sendInvitation "
        "gives, AlreadyExists for a username or e-mail an earlier row of the batch invites, and "
        "in an atomic batch that failed, ValidationError (field null) for the rows that were "
        "good but not sent."
    )


@strawberry.type(description="sendInvitations' answer: one row per input row, in input order.")
class SendInvitationsPayload:
    results: list[SendInvitationsRow] = strawberry.field(
        description="Every input row's answer, in input order."
    )
    sent_count: int = strawberry.field(
        description="How many invitations were sent (stored, their e-mail queued)."
    )


@strawberry.type(description="The invitation is gone: its link no longer works.")
class DeleteInvitationSuccess:
    deleted_invitation_id: strawberry.ID = strawberry.field(
        description="The deleted invitation's ID (drop it from caches)."
    )


@strawberry.input(description="Invite someone by e-mail into a tenant.")
class SendInvitationInput:
    username: str = strawberry.field(
        description="The username the invited user will have; free in the tenant."
    )
    email: str = strawberry.field(description="Where to mail the invitation link.")
    role: Role = strawberry.field(
        description="The role they will have: members invite at most members; admins and "
        "superusers any role."
    )
    auth_method: AuthMethod = strawberry.field(
        default=AuthMethod.PASSWORD, description="How they will sign in."
    )
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Superusers only: invite into another tenant. Defaults to the caller's tenant.",
    )
    expires_in_hours: int | None = strawberry.field(
        default=None,
        description="1 to 720. Default: the tenant's invitationTtlHours.",
    )


@strawberry.input(description="Up to 100 invitations sent in one request.")
class SendInvitationsInput:
    invitations: list[SendInvitationInput] = strawberry.field(
        description="At most 100. Each row is checked as sendInvitation checks one."
    )
    atomic: bool = strawberry.field(
        default=False, description="True: send none unless every row succeeds."
    )


@strawberry.input(description="Accept an invitation: creates the user and signs them in.")
class AcceptInvitationInput:
    token: str = strawberry.field(description="The token from the invitation link.")
    password: str | None = strawberry.field(
        default=None,
        description="Required for PASSWORD invitations; for PAM, the system password of the "
        "invited username.",
    )
