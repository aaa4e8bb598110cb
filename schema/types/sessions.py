from __future__ import annotations

from datetime import datetime

import strawberry

from domain.user_sessions import SessionView


@strawberry.type(
    name="Session",
    description="A signed-in browser or client. Its id ends it (revokeSession); the session's "
    "token is never shown again after sign-in.",
)
class Session:
    id: strawberry.ID
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(description="Updated at most once a minute.")
    client_address: str | None = strawberry.field(
        description="The address that signed in, as the server saw it."
    )
    user_agent: str | None = strawberry.field(
        description="The User-Agent that signed in (printable characters, at most 512)."
    )
    current: bool = strawberry.field(description="The session this request came with.")

    @classmethod
    def from_view(cls, view: SessionView) -> Session:
        row = view.session
        return cls(
            id=strawberry.ID(str(row.id)),
            created_at=row.created_at,
            last_used_at=row.last_seen_at,
            client_address=row.client_address,
            user_agent=row.user_agent,
            current=view.current,
        )


@strawberry.type
class SessionsRevoked:
    count: int = strawberry.field(description="How many sessions ended.")
