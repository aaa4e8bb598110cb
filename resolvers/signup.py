"""signupDomains, addSignupDomain, removeSignupDomain, verifySignupDomain,
markSignupDomainVerified, signUp, verifyEmail."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import domain_verification, signup
from permissions import graphql as can
from resolvers.auth import signed_in
from resolvers.common import actor, client, expected_failures
from schema.context import Info
from schema.errors import (
    AlreadyExists,
    DomainNotAllowed,
    DomainNotVerified,
    EmailNotConfigured,
    InvalidToken,
    NotFound,
    RateLimited,
    ValidationError,
)
from schema.types.security import MfaRequired
from schema.types.signup import (
    DeleteSignupDomainSuccess,
    SignupDomain,
    SignupDomainInput,
    SignupDomainPayload,
    SignUpInput,
    SignUpSuccess,
)
from schema.types.users import LoginSuccess

SignUpResult = Annotated[
    SignUpSuccess
    | DomainNotAllowed
    | AlreadyExists
    | ValidationError
    | RateLimited
    | EmailNotConfigured,
    strawberry.union("SignUpResult", description="signUp's answer."),
]
VerifyEmailResult = Annotated[
    LoginSuccess | InvalidToken | RateLimited | ValidationError | MfaRequired,
    strawberry.union("VerifyEmailResult", description="verifyEmail's answer."),
]
SignupDomainResult = Annotated[
    SignupDomainPayload | NotFound | ValidationError | AlreadyExists,
    strawberry.union("SignupDomainResult", description="addSignupDomain's answer."),
]
DeleteSignupDomainResult = Annotated[
    DeleteSignupDomainSuccess | NotFound,
    strawberry.union("DeleteSignupDomainResult", description="removeSignupDomain's answer."),
]

VerifySignupDomainResult = Annotated[
    SignupDomainPayload | NotFound | DomainNotVerified | ValidationError | RateLimited,
    strawberry.union(
        "VerifySignupDomainResult",
        description="verifySignupDomain's and markSignupDomainVerified's answer.",
    ),
]


@strawberry.type
class SignupQueries:
    @strawberry.field(
        description="The e-mail domains open for self sign-up in a tenant.",
        extensions=[PermissionExtension([can.ManageSignupDomains()])],
    )
    async def signup_domains(
        self,
        info: Info,
        tenant_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Superusers: another tenant's. Defaults to the caller's tenant."
            ),
        ] = None,
    ) -> list[SignupDomain]:
        rules = await signup.signup_domains(actor(info), tenant_id)
        return [SignupDomain.from_model(rule) for rule in rules]


@strawberry.type
class SignupMutations:
    @strawberry.mutation(
        description="Create an account with an address of an open domain; a confirmation link "
        "is mailed to it.",
        extensions=[PermissionExtension([can.SignIn()])],
    )
    @expected_failures
    async def sign_up(
        self,
        info: Info,
        input: Annotated[SignUpInput, strawberry.argument(description="The account wanted.")],
    ) -> SignUpResult:
        email = await signup.sign_up(
            signup.SignUp(
                tenant=input.tenant,
                username=input.username,
                email=input.email,
                password=input.password,
            ),
            client(info),
        )
        return SignUpSuccess(email=email)

    @strawberry.mutation(
        description="Confirm a sign-up's address with the mailed link's token, and sign in.",
        extensions=[PermissionExtension([can.SignIn()])],
    )
    @expected_failures
    async def verify_email(
        self,
        info: Info,
        token: Annotated[str, strawberry.argument(description="The token from the link.")],
        password: Annotated[
            str | None,
            strawberry.argument(
                description="For a PASSWORD sign-up: the account's password, whatever signUp "
                "sent. Required when signUp was sent without one, and when another sign-up of "
                "the same address came before it (a password sent with signUp is kept only "
                "while the address has no other pending sign-up). A ValidationError leaves the "
                "link usable."
            ),
        ] = None,
    ) -> VerifyEmailResult:
        return signed_in(info, await signup.verify_email(token, client(info), password))

    @strawberry.mutation(
        description="Open an e-mail domain for self sign-up in a tenant.",
        extensions=[PermissionExtension([can.AddSignupDomain()])],
    )
    @expected_failures
    async def add_signup_domain(
        self,
        info: Info,
        input: Annotated[SignupDomainInput, strawberry.argument(description="The domain.")],
    ) -> SignupDomainResult:
        rule = await signup.add_signup_domain(
            actor(info),
            signup.NewSignupDomain(
                domain=input.domain,
                default_role=input.default_role,
                auth_method=input.auth_method,
                tenant_id=input.tenant_id,
            ),
        )
        return SignupDomainPayload(signup_domain=SignupDomain.from_model(rule))

    @strawberry.mutation(
        description="Close a domain for self sign-up; users who signed up stay.",
        extensions=[PermissionExtension([can.ManageSignupDomains()])],
    )
    @expected_failures
    async def remove_signup_domain(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The sign-up domain.")],
    ) -> DeleteSignupDomainResult:
        deleted = await signup.remove_signup_domain(actor(info), id)
        return DeleteSignupDomainSuccess(deleted_signup_domain_id=strawberry.ID(str(deleted)))

    @strawberry.mutation(
        description="Look for the domain's TXT record (SignupDomain.verification) in DNS; "
        "found, the domain is VERIFIED and admits sign-ups.",
        extensions=[PermissionExtension([can.VerifySignupDomain()])],
    )
    @expected_failures
    async def verify_signup_domain(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The sign-up domain.")],
    ) -> VerifySignupDomainResult:
        rule = await domain_verification.verify_signup_domain(actor(info), id)
        return SignupDomainPayload(signup_domain=SignupDomain.from_model(rule))

    @strawberry.mutation(
        description="Mark a domain verified without DNS (audited).",
        extensions=[PermissionExtension([can.VouchForSignupDomain()])],
    )
    @expected_failures
    async def mark_signup_domain_verified(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The sign-up domain.")],
    ) -> VerifySignupDomainResult:
        rule = await domain_verification.mark_signup_domain_verified(actor(info), id)
        return SignupDomainPayload(signup_domain=SignupDomain.from_model(rule))
