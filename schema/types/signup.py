from __future__ import annotations

from datetime import datetime

import strawberry

from models import SignupDomain as SignupDomainModel
from schema.enums import AuthMethod, Role
from schema.types.node import Node


@strawberry.type(
    name="SignupDomain",
    description="An e-mail domain open for self sign-up: anyone with an address there may "
    "create an account in the tenant (signUp), once they confirm the address.",
)
class SignupDomain(Node):
    domain: str = strawberry.field(
        description="The domain, lower-case, international names in their ASCII (punycode) form."
    )
    default_role: Role = strawberry.field(description="The role new users get.")
    auth_method: AuthMethod = strawberry.field(description="How new users sign in.")
    created_at: datetime = strawberry.field(description="When the domain was opened.")

    @classmethod
    def from_model(cls, rule: SignupDomainModel) -> SignupDomain:
        return cls(
            id=strawberry.ID(str(rule.id)),
            domain=rule.domain,
            default_role=rule.default_role,
            auth_method=rule.auth_method,
            created_at=rule.created_at,
        )


@strawberry.type(description="The sign-up domain as the mutation left it.")
class SignupDomainPayload:
    signup_domain: SignupDomain = strawberry.field(description="The domain, opened.")


@strawberry.type(description="The domain is closed for self sign-up (existing users stay).")
class DeleteSignupDomainSuccess:
    deleted_signup_domain_id: strawberry.ID = strawberry.field(
        description="The closed domain's ID (drop it from caches)."
    )


@strawberry.type(description="Signed up: the account waits for its address to be confirmed.")
class SignUpSuccess:
    email: str = strawberry.field(
        description="A verification e-mail was sent; the account works once the link in it "
        "is followed."
    )


@strawberry.input(description="Create an account with an address of a domain open for sign-up.")
class SignUpInput:
    tenant: str = strawberry.field(description="The tenant's name.")
    username: str = strawberry.field(description="The username wanted; free in the tenant.")
    email: str = strawberry.field(
        description="The address: its domain must be open for sign-up in the tenant."
    )
    password: str | None = strawberry.field(
        default=None,
        description="For a PASSWORD domain, optional: the password may instead be chosen "
        "with verifyEmail, whose password wins. Kept only while the address has no other "
        "pending sign-up; otherwise verifyEmail must carry it.",
    )


@strawberry.input(description="Open an e-mail domain for self sign-up.")
class SignupDomainInput:
    domain: str = strawberry.field(description="The domain (example.com), without the @.")
    default_role: Role = strawberry.field(description="The role new users get.")
    auth_method: AuthMethod = strawberry.field(
        default=AuthMethod.PASSWORD, description="How new users sign in."
    )
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Superusers only: another tenant. Defaults to the caller's."
    )
