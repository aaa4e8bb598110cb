"""mySessions, userSessions, revokeSession, revokeOtherSessions, revokeUserSessions."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.permission import PermissionExtension

from domain import errors, user_sessions
from domain.user_sessions import Revoked
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from schema.context import Info, SessionEnded
from schema.errors import NotFound
from schema.types.sessions import Session, SessionsRevoked

RevokeSessionsResult = Annotated[
    SessionsRevoked | NotFound,
    strawberry.union("RevokeSessionsResult", description="How many sessions ended, or why none."),
]
UserId = Annotated[strawberry.ID, strawberry.argument(description="The user.")]


def _revoked(info: Info, outcome: Revoked) -> SessionsRevoked:
    if outcome.ended_current:
        info.context.session_change = SessionEnded()  # the cookie goes with the session
    return SessionsRevoked(count=outcome.count)


@strawberry.type
class SessionQueries:
    @strawberry.field(
        description="The caller's sessions that still work, most recently used first.",
        extensions=[PermissionExtension([can.OwnSessions()])],
    )
    async def my_sessions(self, info: Info) -> list[Session]:
        views = await user_sessions.my_sessions(actor(info), info.context.session_token)
        return [Session.from_model(view.session) for view in views]

    @strawberry.field(
        description="Another user's sessions that still work. Admins: users of their tenant "
        "who are not superusers; superusers: anyone.",
        extensions=[PermissionExtension([can.UserSessions()])],
    )
    async def user_sessions(self, info: Info, user_id: UserId) -> list[Session]:
        try:
            views = await user_sessions.user_sessions(
                actor(info), user_id, info.context.session_token
            )
        except errors.NotFound as exc:
            raise GraphQLError(exc.message, extensions={"code": "NOT_FOUND"}) from None
        except errors.Forbidden as exc:
            raise can.Forbidden(str(exc) or "You may not do this.") from None
        return [Session.from_model(view.session) for view in views]


@strawberry.type
class SessionMutations:
    @strawberry.mutation(
        description="End one of the caller's sessions (the current one signs out). "
        "Another user's session is NotFound.",
        extensions=[PermissionExtension([can.OwnSessions()])],
    )
    @expected_failures
    async def revoke_session(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The session to end.")],
    ) -> RevokeSessionsResult:
        outcome = await user_sessions.revoke_session(actor(info), id, info.context.session_token)
        return _revoked(info, outcome)

    @strawberry.mutation(
        description="End every session of the caller but the current one.",
        extensions=[PermissionExtension([can.OwnSessions()])],
    )
    async def revoke_other_sessions(self, info: Info) -> SessionsRevoked:
        outcome = await user_sessions.revoke_other_sessions(actor(info), info.context.session_token)
        return _revoked(info, outcome)

    @strawberry.mutation(
        description="End every session of a user. Admins: users of their tenant who are not "
        "superusers; superusers: anyone.",
        extensions=[PermissionExtension([can.UserSessions()])],
    )
    @expected_failures
    async def revoke_user_sessions(self, info: Info, user_id: UserId) -> RevokeSessionsResult:
        outcome = await user_sessions.revoke_user_sessions(
            actor(info), user_id, info.context.session_token
        )
        return _revoked(info, outcome)
