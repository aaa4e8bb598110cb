from __future__ import annotations

from datetime import datetime

import strawberry

from domain.domain_verification import record_name, record_value
from models import SignupDomain as SignupDomainModel
from schema.enums import AuthMethod, DomainStatus, Role
from schema.types.node import Node


@strawberry.type(description="What proves the tenant controls a sign-up domain: a DNS TXT record.")
class DomainVerification:
    record_name: str = strawberry.field(
        description="Publish a TXT record with this name and value, then call verifySignupDomain."
    )
    record_value: str = strawberry.field(
        description="The TXT record's value: this domain's own token (not a secret)."
    )
    checked_at: datetime | None = strawberry.field(
        description="When verifySignupDomain last looked for the record; null if never."
    )


@strawberry.type(
    name="SignupDomain",
    description="An e-mail domain for self sign-up: once it is VERIFIED, anyone with an "
    "address there may create an account in the tenant (signUp), once they confirm the address.",
)
class SignupDomain(Node):
    domain: str = strawberry.field(
        description="The domain, lower-case, international names in their ASCII (punycode) form."
    )
    default_role: Role = strawberry.field(description="The role new users get.")
    auth_method: AuthMethod = strawberry.field(description="How new users sign in.")
    created_at: datetime = strawberry.field(description="When the domain was opened.")
    status: DomainStatus = strawberry.field(
        description="Only a VERIFIED domain admits sign-ups (signUp, and e-mail changes and "
        "SAML accounts that rely on the list)."
    )
    verification: DomainVerification | None = strawberry.field(
        description="The TXT record that verifies the domain; null for domains that were open "
        "before verification existed."
    )

    @classmethod
    def from_model(cls, rule: SignupDomainModel) -> SignupDomain:
        return cls(
            id=strawberry.ID(str(rule.id)),
            domain=rule.domain,
            default_role=rule.default_role,
            auth_method=rule.auth_method,
            created_at=rule.created_at,
            status=rule.status,
            verification=None
            if rule.verification_token is None
            else DomainVerification(
                record_name=record_name(rule.domain),
                record_value=record_value(rule.verification_token),
                checked_at=rule.checked_at,
            ),
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
