from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from domain.auth.sessions import is_session_of
from models import Session as SessionRow
from schema.context import Info
from schema.plans import PLAN_CONTEXT, preloaded
from schema.types.node import Node


@strawberry.type(
    name="Session",
    description="A signed-in browser or client. Its id ends it (revokeSession); the session's "
    "token is never shown again after sign-in.",
)
class Session(Node):
    created_at: datetime = strawberry.field(description="When the session began (sign-in).")
    last_used_at: datetime | None = strawberry.field(description="Updated at most once a minute.")
    client_address: str | None = strawberry.field(
        description="The address that signed in, as the server saw it."
    )
    user_agent: str | None = strawberry.field(
        description="The User-Agent that signed in (printable characters, at most 512)."
    )
    row: strawberry.Private[SessionRow]

    @strawberry.field(description="The session this request came with.")
    def current(self, info: Info) -> bool:
        # Read from the request, so a session fetched by `node(id:)` answers it too.
        return _is_current(self, info.context)

    @classmethod
    def from_model(cls, row: SessionRow) -> Session:
        return cls(
            id=strawberry.ID(str(row.id)),
            created_at=row.created_at,
            last_used_at=row.last_seen_at,
            client_address=row.client_address,
            user_agent=row.user_agent,
            row=row,
        )


@strawberry.type(description="Sessions ended: requests made with them now fail.")
class SessionsRevoked:
    count: int = strawberry.field(description="How many sessions ended.")


def _is_current(session: Session, context: Any) -> bool:
    return is_session_of(session.row, context.session_token)


# What a plan reads instead of calling `current` (schema/plans.py): the same check, of the
# request whose plan runs.
preloaded("Session", "current", lambda session: _is_current(session, PLAN_CONTEXT.get()))
