"""A request made with an API token never sees an invitation link, nor has one mailed where
it says, nor picks the mail server or IdP that carry and vouch for sign-ins (issue 11). What
mints nothing (listing, deleting) it still does as the token's owner."""

from __future__ import annotations

import pytest

from models import (
    DomainStatus,
    InstanceSettings,
    Invitation,
    OutboxMail,
    SamlSettings,
    SignupDomain,
    User,
)
from models.enums import AuthMethod, Role
from tests.factories import Cast, Factory
from tests.invitations.helpers import PASSWORD, invite, mailed_token
from tests.invitations.queries import ACCEPT, DELETE, RESEND, SEND
from tests.saml.idp import new_key_pair
from tests.tokens.helpers import refused_as_a_token_request, token_of

LINKS = "{ invitations { edges { node { username link } } } }"
ADD_DOMAIN = """
mutation($input: SignupDomainInput!) { addSignupDomain(input: $input) { __typename } }
"""
REMOVE_DOMAIN = """
mutation($id: ID!) { removeSignupDomain(id: $id) { __typename } }
"""
DOMAINS = "{ signupDomains { domain } }"
UPDATE_SMTP = """
mutation($input: SmtpSettingsInput!) { updateSmtpSettings(input: $input) { __typename } }
"""
READ_SMTP = "{ instanceSettings { smtp { host } } }"
UPDATE_SAML = """
mutation($input: SamlSettingsInput!) { updateSamlSettings(input: $input) { __typename } }
"""
READ_SAML = "query($id: ID!) { samlSettings(tenantId: $id) { enabled } }"
INVITER = ["member", "admin", "superuser"]


def invitation_input(username: str = "eve") -> dict:
    return {"username": username, "email": f"{username}@attacker.example", "role": "MEMBER"}


# ---------------------------------------------------------------- invitations


@pytest.mark.parametrize("role", INVITER)
async def test_a_token_request_sends_no_invitation(gql, cast: Cast, make: Factory, smtp, role):
    secret = await token_of(make, cast.by_role(role))
    result = await gql(SEND, {"input": invitation_input()}, token=secret)
    refused_as_a_token_request(result)
    assert not await Invitation.exists()
    assert not await OutboxMail.exists()


@pytest.mark.parametrize("role", INVITER)
async def test_a_token_request_sees_no_invitation_link_not_even_its_owners(
    gql, cast: Cast, make: Factory, smtp, role
):
    inviter = cast.by_role(role)
    await invite(gql, inviter)
    secret = await token_of(make, inviter)
    result = await gql(LINKS, token=secret)
    refused_as_a_token_request(result)
    [edge] = result.body["data"]["invitations"]["edges"]
    assert edge["node"] == {"username": "nina", "link": None}


async def test_the_inviters_session_still_sees_the_link(gql, cast: Cast, smtp):
    await invite(gql, cast.member_a)
    [edge] = (await gql(LINKS, as_=cast.member_a)).ok()["invitations"]["edges"]
    assert edge["node"]["link"].startswith("http://tenantry.test/accept-invitation?token=")


@pytest.mark.parametrize("role", INVITER)
async def test_a_token_request_does_not_renew_an_invitation(
    gql, cast: Cast, make: Factory, smtp, role
):
    inviter = cast.by_role(role)
    sent = await invite(gql, inviter)
    await smtp.wait_for(1)
    before = await Invitation.get(id=sent["id"])
    secret = await token_of(make, inviter)
    refused_as_a_token_request(await gql(RESEND, {"id": sent["id"]}, token=secret))
    assert (await Invitation.get(id=sent["id"])).expires_at == before.expires_at
    assert await OutboxMail.all().count() == 1


async def test_a_token_request_still_withdraws_an_invitation(gql, cast: Cast, make: Factory, smtp):
    sent = await invite(gql, cast.admin_a)
    secret = await token_of(make, cast.admin_a)
    result = await gql(DELETE, {"id": sent["id"]}, token=secret)
    assert result.payload("deleteInvitation")["__typename"] == "DeleteInvitationSuccess"


async def test_a_token_request_gets_no_session_from_an_invitation(
    gql, cast: Cast, make: Factory, smtp
):
    await invite(gql, cast.admin_a)
    link_token = await mailed_token(smtp)
    secret = await token_of(make, cast.member_a)
    accept = {"input": {"token": link_token, "password": PASSWORD}}
    refused_as_a_token_request(await gql(ACCEPT, accept, token=secret))
    assert not await User.exists(username="nina")
    accepted = await gql(ACCEPT, accept)
    assert accepted.payload("acceptInvitation")["__typename"] == "LoginSuccess"


# ---------------------------------------------------------------- sign-up domains


@pytest.mark.parametrize("role", ["admin", "superuser"])
async def test_a_token_request_opens_sign_up_for_no_domain(gql, cast: Cast, make: Factory, role):
    secret = await token_of(make, cast.by_role(role))
    wanted = {"input": {"domain": "attacker.example", "defaultRole": "MEMBER"}}
    refused_as_a_token_request(await gql(ADD_DOMAIN, wanted, token=secret))
    assert not await SignupDomain.exists()


async def test_a_token_request_still_lists_and_closes_sign_up_domains(
    gql, cast: Cast, make: Factory
):
    rule = await SignupDomain.create(
        status=DomainStatus.VERIFIED,
        tenant=cast.tenant_a, domain="example.com", default_role=Role.GUEST,
        auth_method=AuthMethod.PASSWORD,
    )  # fmt: skip
    secret = await token_of(make, cast.admin_a)
    assert (await gql(DOMAINS, token=secret)).ok()["signupDomains"] == [{"domain": "example.com"}]
    removed = await gql(REMOVE_DOMAIN, {"id": str(rule.id)}, token=secret)
    assert removed.payload("removeSignupDomain")["__typename"] == "DeleteSignupDomainSuccess"


# ---------------------------------------------------------------- who carries and vouches


async def test_a_token_request_does_not_choose_the_mail_server(gql, cast: Cast, make: Factory):
    secret = await token_of(make, cast.superuser)
    relay = {"host": "mail.attacker.example", "port": 25, "security": "NONE",
             "fromAddress": "noreply@attacker.example"}  # fmt: skip
    refused_as_a_token_request(await gql(UPDATE_SMTP, {"input": relay}, token=secret))
    row = await InstanceSettings.get_or_none(id=1)
    assert row is None or row.smtp_host is None
    assert (await gql(READ_SMTP, token=secret)).ok()["instanceSettings"]["smtp"]["host"] is None


async def test_a_token_request_does_not_choose_a_tenants_idp(gql, cast: Cast, make: Factory):
    secret = await token_of(make, cast.superuser)
    idp = {
        "tenantId": str(cast.tenant_a.id), "enabled": True,
        "idpEntityId": "https://idp.attacker.example", "idpSsoUrl": "https://idp.attacker.example/sso",
        "idpCertificate": new_key_pair("attacker").cert_pem,
    }  # fmt: skip
    refused_as_a_token_request(await gql(UPDATE_SAML, {"input": idp}, token=secret))
    assert not await SamlSettings.exists()
    read = await gql(READ_SAML, {"id": str(cast.tenant_a.id)}, token=secret)
    assert read.ok()["samlSettings"] == {"enabled": False}
