"""invitations, invitationPreview, sendInvitation, resendInvitation, deleteInvitation,
acceptInvitation."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import invitation_batches, invitations
from permissions import graphql as can
from resolvers.auth import signed_in
from resolvers.common import actor, client, expected_failures
from resolvers.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Before,
    First,
    Last,
    page_request,
    paginate,
)
from resolvers.preload import preload_inviters, selected_node_fields
from schema.context import Info
from schema.enums import InvitationStatus
from schema.errors import (
    AlreadyExists,
    EmailDeliveryFailed,
    EmailNotConfigured,
    InvalidCredentials,
    InvalidToken,
    NotFound,
    RateLimited,
    ValidationError,
    to_graphql,
)
from schema.types.invitations import (
    AcceptInvitationInput,
    DeleteInvitationSuccess,
    Invitation,
    InvitationConnection,
    InvitationEdge,
    InvitationPayload,
    InvitationPreview,
    SendInvitationInput,
    SendInvitationResult,
    SendInvitationsInput,
    SendInvitationsPayload,
    SendInvitationsRow,
)
from schema.types.security import MfaRequired
from schema.types.users import LoginSuccess

SendInvitationsResult = Annotated[
    SendInvitationsPayload | ValidationError | RateLimited,
    strawberry.union(
        "SendInvitationsResult",
        description="sendInvitations' answer: one answer per row, or why no row was tried.",
    ),
]
ResendInvitationResult = Annotated[
    InvitationPayload | NotFound | EmailNotConfigured | EmailDeliveryFailed | ValidationError,
    strawberry.union("ResendInvitationResult", description="resendInvitation's answer."),
]
DeleteInvitationResult = Annotated[
    DeleteInvitationSuccess | NotFound,
    strawberry.union("DeleteInvitationResult", description="deleteInvitation's answer."),
]
InvitationId = Annotated[strawberry.ID, strawberry.argument(description="The invitation.")]
AcceptInvitationResult = Annotated[
    LoginSuccess
    | InvalidToken
    | ValidationError
    | AlreadyExists
    | InvalidCredentials
    | RateLimited
    | MfaRequired,
    strawberry.union(
        "AcceptInvitationResult",
        description="acceptInvitation's answer: signed in as the new user, or why not.",
    ),
]


@strawberry.type
class InvitationQueries:
    @strawberry.field(
        description="Invitations not yet accepted (expired ones too, to be resent): all of the "
        "tenant's for admins, the caller's own for members.",
        extensions=[PermissionExtension([can.ManageInvitations()])],
    )
    async def invitations(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        last: Last = None,
        before: Before = None,
        tenant_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Superusers: another tenant's invitations. Defaults to the caller's "
                "tenant."
            ),
        ] = None,
        status: Annotated[
            InvitationStatus | None,
            strawberry.argument(description="Only invitations of this status; all when left out."),
        ] = None,
    ) -> InvitationConnection:
        query = invitations.invitations_in_reach(actor(info), tenant_id, status)
        wanted = page_request(info, first=first, after=after, last=last, before=before)
        page = await paginate(query, wanted, order_by="created_at")
        edges = page.edges(InvitationEdge, Invitation.from_model)
        await preload_inviters(
            info.context.loaders, actor(info), [edge.node for edge in edges],
            selected_node_fields(info, "edges", "node"),
        )  # fmt: skip
        return InvitationConnection(
            edges=edges,
            page_info=page.page_info,
            total_count=page.total_count or 0,
        )

    @strawberry.field(
        description="Public: what an invitation link is for. Null for any token that is not usable."
    )
    async def invitation_preview(
        self,
        info: Info,
        token: Annotated[str, strawberry.argument(description="The token from the link.")],
    ) -> InvitationPreview | None:
        preview = await invitations.preview(token)
        return InvitationPreview.from_domain(preview) if preview else None


@strawberry.type
class InvitationMutations:
    @strawberry.mutation(
        description="Invite someone: mails them a link that creates their user when accepted.",
        extensions=[PermissionExtension([can.SendInvitation()])],
    )
    @expected_failures
    async def send_invitation(
        self,
        info: Info,
        input: Annotated[
            SendInvitationInput, strawberry.argument(description="Who to invite, and how.")
        ],
    ) -> SendInvitationResult:
        invitation = await invitations.send_invitation(
            actor(info), _new_invitation(input), client(info)
        )
        return InvitationPayload(invitation=Invitation.from_model(invitation))

    @strawberry.mutation(
        description="Invite up to 100 people at once: each row is checked and answered as "
        "sendInvitation would, and each counts against the invitation rate limit.",
        extensions=[PermissionExtension([can.SendInvitation()])],
    )
    @expected_failures
    async def send_invitations(
        self,
        info: Info,
        input: Annotated[
            SendInvitationsInput,
            strawberry.argument(description="The rows, and whether they go all or none."),
        ],
    ) -> SendInvitationsResult:
        outcome = await invitation_batches.send_invitations(
            actor(info),
            [_new_invitation(row) for row in input.invitations],
            atomic=input.atomic,
            client=client(info),
        )
        return SendInvitationsPayload(
            results=[
                SendInvitationsRow(
                    index=row.index,
                    result=InvitationPayload(invitation=Invitation.from_model(row.invitation))
                    if row.invitation is not None
                    else to_graphql(row.error),  # type: ignore[arg-type]
                )
                for row in outcome.rows
            ],
            sent_count=outcome.sent_count,
        )

    @strawberry.mutation(
        description="Mail the invitation again; its link works for a new lifetime.",
        extensions=[PermissionExtension([can.ResendInvitation()])],
    )
    @expected_failures
    async def resend_invitation(
        self,
        info: Info,
        id: InvitationId,
        expires_in_hours: Annotated[
            int | None,
            strawberry.argument(description="1 to 720. Default: the tenant's invitationTtlHours."),
        ] = None,
    ) -> ResendInvitationResult:
        invitation = await invitations.resend_invitation(actor(info), id, expires_in_hours)
        return InvitationPayload(invitation=Invitation.from_model(invitation))

    @strawberry.mutation(
        description="Delete a pending invitation: its link stops working.",
        extensions=[PermissionExtension([can.ManageInvitations()])],
    )
    @expected_failures
    async def delete_invitation(self, info: Info, id: InvitationId) -> DeleteInvitationResult:
        deleted = await invitations.delete_invitation(actor(info), id)
        return DeleteInvitationSuccess(deleted_invitation_id=strawberry.ID(str(deleted)))

    @strawberry.mutation(
        description="Accept an invitation: creates the invited user and signs them in.",
        extensions=[PermissionExtension([can.SignIn()])],
    )
    @expected_failures
    async def accept_invitation(
        self,
        info: Info,
        input: Annotated[
            AcceptInvitationInput, strawberry.argument(description="The link's token, and more.")
        ],
    ) -> AcceptInvitationResult:
        outcome = await invitations.accept_invitation(input.token, input.password, client(info))
        return signed_in(info, outcome)


def _new_invitation(input: SendInvitationInput) -> invitations.NewInvitation:
    return invitations.NewInvitation(
        username=input.username,
        email=input.email,
        role=input.role,
        auth_method=input.auth_method,
        tenant_id=input.tenant_id,
        expires_in_hours=input.expires_in_hours,
    )
