"""login, logout, changePassword."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain.auth import login as auth
from domain.auth.challenges import SecondStep
from domain.auth.login import SignedIn
from permissions import graphql as can
from resolvers.common import actor, client, expected_failures
from schema.context import Info, SessionEnded, SessionStarted
from schema.errors import InvalidCredentials, RateLimited, ValidationError
from schema.types.security import MfaRequired
from schema.types.users import (
    ChangePasswordInput,
    LoginInput,
    LoginSuccess,
    LogoutSuccess,
    User,
    UserPayload,
)

LoginResult = Annotated[
    LoginSuccess | InvalidCredentials | RateLimited | ValidationError | MfaRequired,
    strawberry.union("LoginResult", description="login's answer."),
]
ChangePasswordResult = Annotated[
    UserPayload | InvalidCredentials | ValidationError,
    strawberry.union("ChangePasswordResult", description="changePassword's answer."),
]


def signed_in(info: Info, outcome: SignedIn | SecondStep) -> LoginSuccess | MfaRequired:
    """The answer of every mutation that signs someone in: payload plus session cookie; or,
    when a second factor is needed, the challenge that completeLogin finishes (no cookie)."""
    if isinstance(outcome, SecondStep):
        return MfaRequired.from_step(outcome)
    info.context.session_change = SessionStarted(outcome.session_token)
    return LoginSuccess(user=User.from_model(outcome.user), session_token=outcome.session_token)


@strawberry.type
class AuthMutations:
    @strawberry.mutation(
        description="Sign in with a username and password: starts a session (also set as a "
        "cookie).",
        extensions=[PermissionExtension([can.SignIn()])],
    )
    @expected_failures
    async def login(
        self,
        info: Info,
        input: Annotated[LoginInput, strawberry.argument(description="Who signs in.")],
    ) -> LoginResult:
        outcome = await auth.login(input.tenant, input.username, input.password, client(info))
        return signed_in(info, outcome)

    @strawberry.mutation(
        description="End the session this request came with and clear its cookie. Anyone may "
        "call it; without a session it changes nothing."
    )
    async def logout(self, info: Info) -> LogoutSuccess:
        await auth.logout(info.context.actor, info.context.session_token)
        info.context.session_change = SessionEnded()
        return LogoutSuccess(ok=True)

    @strawberry.mutation(
        description="Change one's own password; one's other sessions end.",
        extensions=[PermissionExtension([can.SignedIn()])],
    )
    @expected_failures
    async def change_password(
        self,
        info: Info,
        input: Annotated[
            ChangePasswordInput, strawberry.argument(description="The current and new password.")
        ],
    ) -> ChangePasswordResult:
        user = await auth.change_password(
            actor(info), input.current_password, input.new_password, info.context.session_token
        )
        return UserPayload(user=User.from_model(user))
