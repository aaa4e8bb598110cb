"""requestPasswordReset, resetPassword, sendPasswordReset, confirmEmailChange."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import email_change, password_reset
from permissions import graphql as can
from resolvers.auth import signed_in
from resolvers.common import actor, client, expected_failures
from schema.context import Info
from schema.errors import (
    AlreadyExists,
    EmailNotConfigured,
    InvalidToken,
    NotFound,
    RateLimited,
    ValidationError,
)
from schema.types.account_security import (
    PasswordResetRequested,
    RequestPasswordResetInput,
    ResetPasswordInput,
)
from schema.types.security import MfaRequired
from schema.types.users import LoginSuccess, User, UserPayload

RequestPasswordResetResult = Annotated[
    PasswordResetRequested | RateLimited | ValidationError | EmailNotConfigured,
    strawberry.union("RequestPasswordResetResult", description="requestPasswordReset's answer."),
]
ResetPasswordResult = Annotated[
    LoginSuccess | InvalidToken | ValidationError | RateLimited | MfaRequired,
    strawberry.union("ResetPasswordResult", description="resetPassword's answer."),
]
SendPasswordResetResult = Annotated[
    PasswordResetRequested | NotFound | ValidationError | EmailNotConfigured | RateLimited,
    strawberry.union("SendPasswordResetResult", description="sendPasswordReset's answer."),
]
ConfirmEmailChangeResult = Annotated[
    UserPayload | InvalidToken | AlreadyExists | RateLimited,
    strawberry.union("ConfirmEmailChangeResult", description="confirmEmailChange's answer."),
]


@strawberry.type
class AccountRecoveryMutations:
    @strawberry.mutation(
        description="Mail a password reset link (valid one hour, single use) to the address, "
        "when it belongs to a user of the tenant who signs in with a password kept here. "
        "The answer is the same either way. A new link replaces the address's earlier one.",
        extensions=[PermissionExtension([can.RecoverAccount()])],
    )
    @expected_failures
    async def request_password_reset(
        self,
        info: Info,
        input: Annotated[
            RequestPasswordResetInput,
            strawberry.argument(description="The tenant and the account's address."),
        ],
    ) -> RequestPasswordResetResult:
        await password_reset.request_password_reset(input.tenant, input.email, client(info))
        return PasswordResetRequested(ok=True)

    @strawberry.mutation(
        description="Set a new password with a mailed reset link: ends every session of the "
        "user, then signs in; a user with a second factor (or whose tenant requires one) gets "
        "MfaRequired instead, finished by completeLogin. A password the rules refuse leaves "
        "the link usable.",
        extensions=[PermissionExtension([can.RecoverAccount()])],
    )
    @expected_failures
    async def reset_password(
        self,
        info: Info,
        input: Annotated[
            ResetPasswordInput,
            strawberry.argument(description="The link's token and the new password."),
        ],
    ) -> ResetPasswordResult:
        outcome = await password_reset.reset_password(input.token, input.new_password, client(info))
        return signed_in(info, outcome)

    @strawberry.mutation(
        description="Mail a user a password reset link, to the user's own address. Admins: "
        "users of their tenant who are not superusers; superusers: anyone. The caller never "
        "sees the link.",
        extensions=[PermissionExtension([can.SendPasswordReset()])],
    )
    @expected_failures
    async def send_password_reset(
        self,
        info: Info,
        user_id: Annotated[
            strawberry.ID, strawberry.argument(description="The user to mail the link to.")
        ],
    ) -> SendPasswordResetResult:
        await password_reset.send_password_reset(actor(info), user_id, client(info))
        return PasswordResetRequested(ok=True)

    @strawberry.mutation(
        description="Confirm a new e-mail address with the link mailed to it: the user's "
        "address changes now. AlreadyExists when another user of the tenant took the address "
        "meanwhile (the link keeps working until it expires). Signs nobody in.",
        extensions=[PermissionExtension([can.RecoverAccount()])],
    )
    @expected_failures
    async def confirm_email_change(
        self,
        info: Info,
        token: Annotated[
            str, strawberry.argument(description="The token from the /confirm-email link.")
        ],
    ) -> ConfirmEmailChangeResult:
        user = await email_change.confirm(token, client(info))
        return UserPayload(user=User.from_model(user))
