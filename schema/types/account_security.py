"""Password reset and e-mail change: the types the account-security mutations answer with."""

from __future__ import annotations

import strawberry


@strawberry.type(description="The request was taken. A link is mailed only when the address "
                 "belongs to a user who signs in with a password kept here.")  # fmt: skip
class PasswordResetRequested:
    ok: bool = strawberry.field(
        description="Always true: the answer is the same whether or not the address has an account."
    )


@strawberry.input(description="Whose password reset link to mail: a tenant and an address.")
class RequestPasswordResetInput:
    tenant: str = strawberry.field(description="The tenant's name, as at login.")
    email: str = strawberry.field(description="The account's e-mail address.")


@strawberry.input(description="A mailed reset link's token and the new password.")
class ResetPasswordInput:
    token: str = strawberry.field(description="The `token` of the mailed /reset-password link.")
    new_password: str = strawberry.field(
        description="8 to 1024 characters, not the username, the tenant's name or a common "
        "password."
    )
