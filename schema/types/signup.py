from __future__ import annotations

from datetime import datetime

import strawberry

from models import SignupDomain as SignupDomainModel
from schema.enums import AuthMethod, Role
from schema.types.node import Node


@strawberry.type(name="SignupDomain")
class SignupDomain(Node):
    id: strawberry.ID
    domain: str
    default_role: Role
    auth_method: AuthMethod
    created_at: datetime

    @classmethod
    def from_model(cls, rule: SignupDomainModel) -> SignupDomain:
        return cls(
            id=strawberry.ID(str(rule.id)),
            domain=rule.domain,
            default_role=rule.default_role,
            auth_method=rule.auth_method,
            created_at=rule.created_at,
        )


@strawberry.type
class SignupDomainPayload:
    signup_domain: SignupDomain


@strawberry.type
class DeleteSignupDomainSuccess:
    deleted_signup_domain_id: strawberry.ID


@strawberry.type
class SignUpSuccess:
    email: str = strawberry.field(
        description="A verification e-mail was sent; the account works once the link in it "
        "is followed."
    )


@strawberry.input
class SignUpInput:
    tenant: str
    username: str
    email: str
    password: str | None = strawberry.field(
        default=None,
        description="For a PASSWORD domain, optional: the password may instead be chosen "
        "with verifyEmail, whose password wins. Kept only while the address has no other "
        "pending sign-up; otherwise verifyEmail must carry it.",
    )


@strawberry.input
class SignupDomainInput:
    domain: str
    default_role: Role
    auth_method: AuthMethod = AuthMethod.PASSWORD
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Superusers only: another tenant. Defaults to the caller's."
    )
