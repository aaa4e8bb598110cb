"""What the subscriptions deliver: a change's kind and ID, and the object as it now is."""

from __future__ import annotations

import strawberry

from domain.events import ChangeKind as DomainChangeKind
from schema.types.invitations import Invitation
from schema.types.users import User

ChangeKind = strawberry.enum(DomainChangeKind, name="ChangeKind")


@strawberry.type
class InvitationChange:
    kind: ChangeKind
    invitation_id: strawberry.ID
    invitation: Invitation | None = strawberry.field(
        description="Null when kind is DELETED (accepted, revoked or expired)."
    )


@strawberry.type
class UserChange:
    kind: ChangeKind
    user_id: strawberry.ID
    user: User | None = strawberry.field(description="Null when kind is DELETED.")
