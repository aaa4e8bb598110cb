"""What the subscriptions deliver: a change's kind and ID, and the object as it now is."""

from __future__ import annotations

import strawberry

from domain.events import ChangeKind as DomainChangeKind
from schema.enums import described_enum
from schema.types.invitations import Invitation
from schema.types.users import User

ChangeKind = described_enum(
    DomainChangeKind,
    "ChangeKind",
    "What happened to an object.",
    {
        "CREATED": "It was created.",
        "UPDATED": "One of its fields changed.",
        "DELETED": "It is gone (deleted, accepted or expired).",
    },
)


@strawberry.type(description="An invitation was created, changed or is gone.")
class InvitationChange:
    kind: ChangeKind = strawberry.field(description="What happened to it.")
    invitation_id: strawberry.ID = strawberry.field(description="The invitation's ID.")
    invitation: Invitation | None = strawberry.field(
        description="Null when kind is DELETED (accepted, revoked or expired)."
    )


@strawberry.type(description="A user joined, changed or is gone.")
class UserChange:
    kind: ChangeKind = strawberry.field(description="What happened to them.")
    user_id: strawberry.ID = strawberry.field(description="The user's ID.")
    user: User | None = strawberry.field(description="Null when kind is DELETED.")
