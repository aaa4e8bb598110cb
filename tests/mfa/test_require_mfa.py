"""A tenant that requires MFA: users without a factor sign in only to enroll one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import validation
from domain.invitations import invitation_token
from domain.secrets import new_nonce
from models import AuthMethod, Invitation, Passkey, Role, Session, Tenant, User
from tests.factories import DEFAULT_PASSWORD, Cast, Factory
from tests.graphql_client import GraphQLClient
from tests.mfa.helpers import (
    BEGIN_PASSKEY,
    CONFIRM_TOTP,
    ENROLL_TOTP,
    MY_PASSKEYS,
    code_at,
    complete,
    enroll_totp,
    login,
    register_passkey,
    with_totp,
)

ACCEPT = """
mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { __typename
  ... on MfaRequired { challengeToken enrollmentRequired methods }
  ... on LoginSuccess { sessionToken } ... on Error { message } } }
"""


@pytest.fixture(autouse=True)
async def acme_requires_mfa(cast: Cast) -> None:
    await Tenant.filter(id=cast.tenant_a.id).update(require_mfa=True)


async def _enrollment(gql: GraphQLClient, user: User, tenant: str = "acme") -> dict:
    step = await login(gql, user, DEFAULT_PASSWORD, tenant)
    assert step["__typename"] == "MfaRequired", step
    return step


async def test_a_user_without_a_factor_gets_an_enrollment_challenge_not_a_session(
    gql: GraphQLClient, cast: Cast
):
    sessions = await Session.all().count()
    step = await _enrollment(gql, cast.member_a.user)
    assert step["enrollmentRequired"] is True
    assert step["methods"] == ["TOTP", "WEBAUTHN"]
    assert await Session.all().count() == sessions


@pytest.mark.parametrize("role", ["superuser", "admin", "member", "guest"])
async def test_every_role_of_the_tenant_must_enroll(gql: GraphQLClient, cast: Cast, role: str):
    step = await _enrollment(gql, cast.by_role(role).user)
    assert step["enrollmentRequired"] is True


async def test_another_tenant_is_not_bound_by_the_policy(gql: GraphQLClient, cast: Cast):
    outcome = await login(gql, cast.member_b.user, DEFAULT_PASSWORD, "globex")
    assert outcome["__typename"] == "LoginSuccess"


async def test_the_enrollment_challenge_enrolls_totp_and_then_signs_in(
    gql: GraphQLClient, cast: Cast
):
    challenge = (await _enrollment(gql, cast.member_a.user))["challengeToken"]
    secret = await enroll_totp(gql, token=challenge)
    outcome = await complete(gql, challenge, code=code_at(secret, 1))
    assert outcome["__typename"] == "LoginSuccess"
    assert outcome["user"]["mfaEnabled"] is True


async def test_the_enrollment_challenge_registers_a_passkey_and_then_signs_in(
    gql: GraphQLClient, cast: Cast
):
    step = await _enrollment(gql, cast.member_a.user)
    authenticator, finished = await register_passkey(gql, token=step["challengeToken"])
    assert finished.payload("finishPasskeyRegistration")["__typename"] == "PasskeyPayload"
    response = authenticator.get(step["webauthnOptionsJson"])
    outcome = await complete(gql, step["challengeToken"], webauthnResponseJson=response)
    assert outcome["__typename"] == "LoginSuccess"


async def test_before_enrolling_no_code_completes_the_sign_in(gql: GraphQLClient, cast: Cast):
    challenge = (await _enrollment(gql, cast.member_a.user))["challengeToken"]
    assert (await complete(gql, challenge, code="123456"))["__typename"] == "InvalidCredentials"


@pytest.mark.parametrize(
    "document",
    [
        "query { users { totalCount } }",
        MY_PASSKEYS,
        "query { tenantSettings { requireMfa } }",
        'mutation { changePassword(input: {currentPassword: "x", newPassword: "y"}) '
        "{ __typename } }",
        'mutation { createProject(name: "p") { __typename } }',
        "mutation($t: ID!) { updateTenantSettings(input: {tenantId: $t}) { __typename } }",
    ],
    ids=["users", "myPasskeys", "tenantSettings", "changePassword", "createProject",
         "updateTenantSettings"],
)  # fmt: skip
async def test_the_enrollment_challenge_does_nothing_but_enroll(
    gql: GraphQLClient, cast: Cast, document: str
):
    challenge = (await _enrollment(gql, cast.admin_a.user))["challengeToken"]
    result = await gql(document, {"t": str(cast.tenant_a.id)} if "$t" in document else None,
                       token=challenge)  # fmt: skip
    assert result.codes == ["FORBIDDEN"]
    assert "enroll" in result.errors[0]["message"]


async def test_the_enrollment_challenge_is_nobody_to_me(gql: GraphQLClient, cast: Cast):
    challenge = (await _enrollment(gql, cast.admin_a.user))["challengeToken"]
    assert (await gql("query { me { username } }", token=challenge)).ok()["me"] is None


async def test_the_enrollment_challenge_shows_no_owned_objects(gql: GraphQLClient, cast: Cast):
    challenge = (await _enrollment(gql, cast.member_a.user))["challengeToken"]
    enrolled = (await gql(ENROLL_TOTP, token=challenge)).payload("enrollTotp")
    result = await gql(
        "mutation($c: String!) { confirmTotp(code: $c) { ... on MfaEnabled "
        "{ user { ownedProjects { name } } } } }",
        {"c": code_at(enrolled["secret"])},
        token=challenge,
    )
    assert result.codes == ["FORBIDDEN"]


async def test_a_finished_enrollment_challenge_stops_working_as_a_bearer(
    gql: GraphQLClient, cast: Cast
):
    challenge = (await _enrollment(gql, cast.member_a.user))["challengeToken"]
    secret = await enroll_totp(gql, token=challenge)
    await complete(gql, challenge, code=code_at(secret, 1))
    assert (await gql(ENROLL_TOTP, token=challenge)).codes == ["UNAUTHENTICATED"]


async def test_an_expired_enrollment_challenge_stops_working_as_a_bearer(
    gql: GraphQLClient, cast: Cast
):
    from models import MfaChallenge

    challenge = (await _enrollment(gql, cast.member_a.user))["challengeToken"]
    await MfaChallenge.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert (await gql(ENROLL_TOTP, token=challenge)).codes == ["UNAUTHENTICATED"]


async def test_a_user_with_a_factor_signs_in_with_it_as_anywhere(gql: GraphQLClient, cast: Cast):
    secret, _ = await with_totp(cast.member_a.user)
    step = await login(gql, cast.member_a.user, DEFAULT_PASSWORD)
    assert step["enrollmentRequired"] is False
    assert (await complete(gql, step["challengeToken"], code=code_at(secret)))["__typename"] == (
        "LoginSuccess"
    )


async def test_admins_see_who_has_a_factor(gql: GraphQLClient, cast: Cast):
    await with_totp(cast.member_a.user)
    users = await gql(
        "query { users { edges { node { username mfaEnabled } } } }", as_=cast.admin_a
    )
    compliance = {
        e["node"]["username"]: e["node"]["mfaEnabled"] for e in users.ok()["users"]["edges"]
    }
    assert compliance == {"root": False, "alice": False, "mallory": True, "gus": False}


async def test_an_invitee_of_the_tenant_must_enroll_before_a_session(
    gql: GraphQLClient, cast: Cast
):
    invitation = await Invitation.create(
        tenant=cast.tenant_a, username="nina", username_key="nina", email="nina@x.example",
        email_key="nina@x.example", role=Role.MEMBER, auth_method=AuthMethod.PASSWORD,
        nonce=new_nonce(), expires_at=datetime.now(UTC) + timedelta(days=1),
    )  # fmt: skip
    result = await gql(
        ACCEPT, {"input": {"token": invitation_token(invitation), "password": "a long passphrase"}}
    )
    outcome = result.payload("acceptInvitation")
    assert outcome["__typename"] == "MfaRequired" and outcome["enrollmentRequired"] is True
    assert await User.filter(username_key=validation.key("nina")).exists()
    secret = await enroll_totp(gql, token=outcome["challengeToken"])
    signed_in = await complete(gql, outcome["challengeToken"], code=code_at(secret, 1))
    assert signed_in["__typename"] == "LoginSuccess"


async def test_saml_users_are_exempt(gql: GraphQLClient, cast: Cast, make: Factory):
    # Their IdP owns their second factor: the SSO sign-in (tests/saml) is not held back, and
    # no password path applies to them; nor may they enroll a factor of ours.
    saml_user = await make.person(cast.tenant_a, username="sam", auth_method=AuthMethod.SAML)
    enrolled = (await gql(ENROLL_TOTP, as_=saml_user)).payload("enrollTotp")
    assert enrolled["__typename"] == "ValidationError"
    confirmed = await gql(CONFIRM_TOTP, {"code": "123456"}, as_=saml_user)
    assert confirmed.payload("confirmTotp")["__typename"] == "ValidationError"


async def test_an_enrollment_challenge_stops_enrolling_once_the_user_has_a_factor(
    gql: GraphQLClient, cast: Cast
):
    # Someone who knows the password took a second enrollment challenge before the owner
    # enrolled: once the owner has a factor, that challenge adds none of its own.
    owners = (await _enrollment(gql, cast.member_a.user))["challengeToken"]
    strangers = (await _enrollment(gql, cast.member_a.user))["challengeToken"]
    secret = await enroll_totp(gql, token=owners)
    assert (await complete(gql, owners, code=code_at(secret, 1)))["__typename"] == "LoginSuccess"
    assert (await gql(BEGIN_PASSKEY, token=strangers)).codes == ["UNAUTHENTICATED"]
    assert (await gql(ENROLL_TOTP, token=strangers)).codes == ["UNAUTHENTICATED"]
    assert not await Passkey.filter(user_id=cast.member_a.user.id).exists()


async def test_an_enrollment_challenge_adds_no_factor_beside_one_enrolled_meanwhile(
    gql: GraphQLClient, cast: Cast
):
    # Both challenges began registering before either finished: the second finish is refused.
    owners = (await _enrollment(gql, cast.member_a.user))["challengeToken"]
    strangers = (await _enrollment(gql, cast.member_a.user))["challengeToken"]
    enrolled = (await gql(ENROLL_TOTP, token=strangers)).payload("enrollTotp")
    secret = await enroll_totp(gql, token=owners)
    refused = await gql(CONFIRM_TOTP, {"code": code_at(enrolled["secret"])}, token=strangers)
    assert refused.codes == ["UNAUTHENTICATED"] or refused.codes == ["FORBIDDEN"]
    assert (await complete(gql, owners, code=code_at(secret, 1)))["__typename"] == "LoginSuccess"
