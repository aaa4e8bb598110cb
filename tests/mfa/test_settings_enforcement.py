"""What the tenant settings change: invitation lifetimes, idle sessions, who may join how."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.invitations import invitation_token
from domain.secrets import new_nonce
from models import AuthMethod, DomainStatus, Invitation, Role, Session, SignupDomain, Tenant
from tests.factories import Cast
from tests.graphql_client import GraphQLClient

SEND = """
mutation($input: SendInvitationInput!) { sendInvitation(input: $input) { __typename
  ... on InvitationPayload { invitation { expiresAt } }
  ... on ValidationError { message field } ... on Error { message } } }
"""
ADD_DOMAIN = """
mutation($input: SignupDomainInput!) { addSignupDomain(input: $input) { __typename
  ... on ValidationError { message field } ... on Error { message } } }
"""
ACCEPT = """
mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { __typename
  ... on ValidationError { message field } ... on Error { message } } }
"""
SIGN_UP = """
mutation($input: SignUpInput!) { signUp(input: $input) { __typename ... on Error { message } } }
"""
ME = "query { me { username } }"


def _invitation_input(method: str = "PASSWORD") -> dict:
    return {"username": "nina", "email": "nina@invitee.example", "role": "MEMBER",
            "authMethod": method}  # fmt: skip


async def _pending_invitation(tenant: Tenant, method: AuthMethod) -> Invitation:
    return await Invitation.create(
        tenant=tenant, username="nina", username_key="nina", email="nina@x.example",
        email_key="nina@x.example", role=Role.MEMBER, auth_method=method, nonce=new_nonce(),
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )  # fmt: skip


async def test_invitations_last_as_long_as_the_tenant_says(gql: GraphQLClient, cast: Cast, smtp):
    await Tenant.filter(id=cast.tenant_a.id).update(invitation_ttl_hours=2)
    sent = (await gql(SEND, {"input": _invitation_input()}, as_=cast.admin_a)).payload(
        "sendInvitation"
    )
    lifetime = datetime.fromisoformat(sent["invitation"]["expiresAt"]) - datetime.now(UTC)
    assert timedelta(hours=1, minutes=59) < lifetime <= timedelta(hours=2)


async def test_without_a_tenant_lifetime_invitations_last_the_instances(
    gql: GraphQLClient, cast: Cast, smtp
):
    sent = (await gql(SEND, {"input": _invitation_input()}, as_=cast.admin_a)).payload(
        "sendInvitation"
    )
    lifetime = datetime.fromisoformat(sent["invitation"]["expiresAt"]) - datetime.now(UTC)
    assert timedelta(hours=167) < lifetime <= timedelta(hours=168)


async def test_a_session_idle_longer_than_the_tenant_allows_ends(gql: GraphQLClient, cast: Cast):
    await Tenant.filter(id=cast.tenant_a.id).update(session_idle_minutes=5)
    await Session.all().update(last_seen_at=datetime.now(UTC) - timedelta(minutes=6))
    assert (await gql(ME, as_=cast.member_a)).data.get("me") is None
    # globex keeps the instance's week.
    assert (await gql(ME, as_=cast.member_b)).ok()["me"]["username"] == "bert"


async def test_a_session_used_within_the_tenants_limit_goes_on(gql: GraphQLClient, cast: Cast):
    await Tenant.filter(id=cast.tenant_a.id).update(session_idle_minutes=5)
    await Session.all().update(last_seen_at=datetime.now(UTC) - timedelta(minutes=4))
    assert (await gql(ME, as_=cast.member_a)).ok()["me"]["username"] == "mallory"


async def test_an_sso_only_tenant_refuses_password_invitations(
    gql: GraphQLClient, cast: Cast, smtp
):
    await Tenant.filter(id=cast.tenant_a.id).update(allowed_auth_methods="saml")
    outcome = (await gql(SEND, {"input": _invitation_input()}, as_=cast.admin_a)).payload(
        "sendInvitation"
    )
    assert (outcome["__typename"], outcome["field"]) == ("ValidationError", "authMethod")
    assert not await Invitation.exists()


async def test_an_sso_only_tenant_still_sends_saml_invitations(
    gql: GraphQLClient, cast: Cast, smtp
):
    await Tenant.filter(id=cast.tenant_a.id).update(allowed_auth_methods="saml")
    outcome = (await gql(SEND, {"input": _invitation_input("SAML")}, as_=cast.admin_a)).payload(
        "sendInvitation"
    )
    assert outcome["__typename"] == "InvitationPayload"


async def test_an_sso_only_tenant_refuses_password_sign_up_domains(gql: GraphQLClient, cast: Cast):
    await Tenant.filter(id=cast.tenant_a.id).update(allowed_auth_methods="saml")
    outcome = (
        await gql(ADD_DOMAIN, {"input": {"domain": "example.com", "defaultRole": "MEMBER",
                                         "authMethod": "PASSWORD"}}, as_=cast.admin_a)
    ).payload("addSignupDomain")  # fmt: skip
    assert (outcome["__typename"], outcome["field"]) == ("ValidationError", "authMethod")
    assert not await SignupDomain.exists()


async def test_an_invitation_of_a_method_no_longer_allowed_cannot_be_accepted(
    gql: GraphQLClient, cast: Cast
):
    invitation = await _pending_invitation(cast.tenant_a, AuthMethod.PASSWORD)
    await Tenant.filter(id=cast.tenant_a.id).update(allowed_auth_methods="saml")
    outcome = (
        await gql(ACCEPT, {"input": {"token": invitation_token(invitation),
                                     "password": "a long passphrase"}})
    ).payload("acceptInvitation")  # fmt: skip
    assert (outcome["__typename"], outcome["field"]) == ("ValidationError", "token")
    assert await Invitation.exists()  # kept: the admins see it, and may delete it


async def test_a_sign_up_domain_of_a_method_no_longer_allowed_admits_nobody(
    gql: GraphQLClient, cast: Cast
):
    await SignupDomain.create(
        status=DomainStatus.VERIFIED,
        tenant=cast.tenant_a, domain="example.com", default_role=Role.MEMBER,
        auth_method=AuthMethod.PASSWORD,
    )  # fmt: skip
    await Tenant.filter(id=cast.tenant_a.id).update(allowed_auth_methods="saml")
    outcome = (
        await gql(SIGN_UP, {"input": {"tenant": "acme", "username": "dora",
                                      "email": "dora@example.com",
                                      "password": "a long passphrase"}})
    ).payload("signUp")  # fmt: skip
    assert outcome["__typename"] == "DomainNotAllowed"
