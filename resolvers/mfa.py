"""completeLogin, TOTP, passkeys, resetMfa, myPasskeys."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain.auth import mfa_login, passkeys, totp
from domain.mfa_reset import reset_mfa
from permissions import graphql as can
from resolvers.auth import signed_in
from resolvers.common import actor, client, expected_failures
from schema.context import Info
from schema.errors import InvalidCredentials, InvalidToken, NotFound, RateLimited, ValidationError
from schema.types.security import (
    CompleteLoginInput,
    MfaEnabled,
    PasskeyCredential,
    PasskeyPayload,
    RemovePasskeySuccess,
    TotpEnrollment,
    WebauthnRegistrationOptions,
)
from schema.types.users import LoginSuccess, User, UserPayload

CompleteLoginResult = Annotated[
    LoginSuccess | InvalidCredentials | InvalidToken | RateLimited,
    strawberry.union(
        "CompleteLoginResult", description="completeLogin's answer: signed in, or why not."
    ),
]
EnrollTotpResult = Annotated[
    TotpEnrollment | ValidationError,
    strawberry.union("EnrollTotpResult", description="enrollTotp's answer."),
]
ConfirmTotpResult = Annotated[
    MfaEnabled | InvalidCredentials | ValidationError,
    strawberry.union(
        "ConfirmTotpResult",
        description="confirmTotp's answer: TOTP on with its recovery codes, or why not.",
    ),
]
DisableTotpResult = Annotated[
    UserPayload | InvalidCredentials | ValidationError | RateLimited,
    strawberry.union("DisableTotpResult", description="disableTotp's answer."),
]
BeginPasskeyRegistrationResult = Annotated[
    WebauthnRegistrationOptions | ValidationError,
    strawberry.union(
        "BeginPasskeyRegistrationResult", description="beginPasskeyRegistration's answer."
    ),
]
FinishPasskeyRegistrationResult = Annotated[
    PasskeyPayload | ValidationError,
    strawberry.union(
        "FinishPasskeyRegistrationResult", description="finishPasskeyRegistration's answer."
    ),
]
RemovePasskeyResult = Annotated[
    RemovePasskeySuccess | NotFound,
    strawberry.union("RemovePasskeyResult", description="removePasskey's answer."),
]
ResetMfaResult = Annotated[
    UserPayload | NotFound, strawberry.union("ResetMfaResult", description="resetMfa's answer.")
]


@strawberry.type
class MfaQueries:
    @strawberry.field(
        description="The caller's passkeys.",
        extensions=[PermissionExtension([can.ViewOwnFactors()])],
    )
    async def my_passkeys(self, info: Info) -> list[PasskeyCredential]:
        return [PasskeyCredential.from_model(p) for p in await passkeys.my_passkeys(actor(info))]


@strawberry.type
class MfaMutations:
    @strawberry.mutation(
        description="The second step of a sign-in that answered MfaRequired.",
        extensions=[PermissionExtension([can.SignIn()])],
    )
    @expected_failures
    async def complete_login(
        self,
        info: Info,
        input: Annotated[
            CompleteLoginInput,
            strawberry.argument(description="The challenge token and exactly one proof."),
        ],
    ) -> CompleteLoginResult:
        proof = mfa_login.Proof(
            code=input.code,
            recovery_code=input.recovery_code,
            webauthn_response_json=input.webauthn_response_json,
        )
        outcome = await mfa_login.complete_login(input.challenge_token, proof, client(info))
        return signed_in(info, outcome)  # type: ignore[return-value]

    @strawberry.mutation(
        description="A new TOTP secret for an authenticator app; on once confirmTotp proves it.",
        extensions=[PermissionExtension([can.EnrollTotp()])],
    )
    @expected_failures
    async def enroll_totp(self, info: Info) -> EnrollTotpResult:
        enrolled = await totp.enroll_totp(actor(info))
        return TotpEnrollment(secret=enrolled.secret, otpauth_uri=enrolled.otpauth_uri)

    @strawberry.mutation(
        description="Turn TOTP on with a code from the app: answers ten recovery codes, once.",
        extensions=[PermissionExtension([can.EnrollTotp()])],
    )
    @expected_failures
    async def confirm_totp(
        self,
        info: Info,
        code: Annotated[
            str,
            strawberry.argument(
                description="The six digits the authenticator app shows for the new secret."
            ),
        ],
    ) -> ConfirmTotpResult:
        user, codes = await totp.confirm_totp(actor(info), code)
        return MfaEnabled(user=User.from_model(user), recovery_codes=codes)

    @strawberry.mutation(
        description="Turn TOTP off: the current password and a TOTP or recovery code.",
        extensions=[PermissionExtension([can.RemoveOwnFactor()])],
    )
    @expected_failures
    async def disable_totp(
        self,
        info: Info,
        current_password: Annotated[
            str, strawberry.argument(description="The caller's current password.")
        ],
        code: Annotated[
            str,
            strawberry.argument(
                description="A code from the authenticator app, or an unused recovery code."
            ),
        ],
    ) -> DisableTotpResult:
        user = await totp.disable_totp(actor(info), current_password, code)
        return UserPayload(user=User.from_model(user))

    @strawberry.mutation(
        description="Options for navigator.credentials.create(); valid five minutes.",
        extensions=[PermissionExtension([can.RegisterPasskey()])],
    )
    @expected_failures
    async def begin_passkey_registration(self, info: Info) -> BeginPasskeyRegistrationResult:
        return WebauthnRegistrationOptions(
            options_json=await passkeys.begin_registration(actor(info))
        )

    @strawberry.mutation(
        description="Register the passkey navigator.credentials.create() made (as JSON).",
        extensions=[PermissionExtension([can.RegisterPasskey()])],
    )
    @expected_failures
    async def finish_passkey_registration(
        self,
        info: Info,
        name: Annotated[
            str,
            strawberry.argument(
                description="What its owner calls the passkey, to tell theirs apart "
                "(1 to 64 characters)."
            ),
        ],
        response_json: Annotated[
            str,
            strawberry.argument(
                description="The PublicKeyCredential from navigator.credentials.create(), as JSON."
            ),
        ],
    ) -> FinishPasskeyRegistrationResult:
        passkey = await passkeys.finish_registration(actor(info), name, response_json)
        return PasskeyPayload(passkey=PasskeyCredential.from_model(passkey))

    @strawberry.mutation(
        description="Remove one of the caller's passkeys.",
        extensions=[PermissionExtension([can.RemoveOwnFactor()])],
    )
    @expected_failures
    async def remove_passkey(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The passkey, one of the caller's.")
        ],
    ) -> RemovePasskeyResult:
        removed = await passkeys.remove_passkey(actor(info), id)
        return RemovePasskeySuccess(removed_passkey_id=strawberry.ID(str(removed)))

    @strawberry.mutation(
        description="Remove every second factor of a user who lost theirs (admins: their "
        "tenant, never superusers; superusers: anyone).",
        extensions=[PermissionExtension([can.ResetMfa()])],
    )
    @expected_failures
    async def reset_mfa(
        self,
        info: Info,
        user_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The user whose second factors are removed."),
        ],
    ) -> ResetMfaResult:
        user = await reset_mfa(actor(info), user_id)
        return UserPayload(user=User.from_model(user))
