"""A SAML invitation is taken up through the tenant's SSO login, never with a password."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from domain import validation
from domain.invitations import invitation_token
from domain.secrets import new_nonce
from models import AuthMethod, Invitation, Role, User

ACCEPT = """
mutation($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) {
    __typename
    ... on ValidationError { message field }
    ... on Error { message }
  }
}
"""


async def saml_invitation(sso, username: str = "sienna") -> Invitation:
    email = f"{username}@acme.example"
    return await Invitation.create(
        tenant=sso.tenant,
        username=username,
        username_key=validation.key(username),
        email=email,
        email_key=validation.key(email),
        role=Role.MEMBER,
        auth_method=AuthMethod.SAML,
        nonce=new_nonce(),
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )


async def test_accepting_a_saml_invitation_by_link_points_to_the_sso_login(gql, sso_a):
    invitation = await saml_invitation(sso_a)
    result = await gql(
        ACCEPT, {"input": {"token": invitation_token(invitation), "password": "anything at all"}}
    )
    answer = result.payload("acceptInvitation")
    assert answer["__typename"] == "ValidationError"
    assert "http://tenantry.test/saml/acme/login" in answer["message"]
    assert await Invitation.exists(id=invitation.id)
    # Following that pointer takes the invitation up.
    response = await sso_a.post(sso_a.signed(sso_a.spec(await sso_a.login(), invitation.email)))
    assert response.status_code == 303
    assert await User.exists(username="sienna", auth_method=AuthMethod.SAML)


async def test_an_expired_saml_invitation_admits_nobody(sso_a, sessions):
    invitation = await saml_invitation(sso_a)
    await Invitation.filter(id=invitation.id).update(expires_at=datetime.now(UTC) - timedelta(1))
    response = await sso_a.post(sso_a.signed(sso_a.spec(await sso_a.login(), invitation.email)))
    assert response.status_code == 403
    assert await sessions.none_started()


async def test_a_saml_invitation_of_another_tenant_admits_nobody(sso_a, sso_b, sessions):
    invitation = await saml_invitation(sso_b)  # pending in globex, for the same e-mail
    response = await sso_a.post(sso_a.signed(sso_a.spec(await sso_a.login(), invitation.email)))
    assert response.status_code == 403
    assert await Invitation.exists(id=invitation.id)
    assert await sessions.none_started()


@pytest.mark.postgres
async def test_two_simultaneous_sso_logins_take_an_invitation_up_once_for_one_user(sso_a):
    invitation = await saml_invitation(sso_a)
    first, second = await sso_a.login(), await sso_a.login()
    responses = await asyncio.gather(
        sso_a.post(sso_a.signed(sso_a.spec(first, invitation.email))),
        sso_a.post(sso_a.signed(sso_a.spec(second, invitation.email))),
    )
    # One consumes the invitation; the other finds the user it made (same identity).
    assert [r.status_code for r in responses] == [303, 303]
    assert await User.filter(email_key=invitation.email_key).count() == 1


async def test_a_saml_invitation_with_its_mail_queued_is_taken_up_on_sqlite_too(sso_a):
    """SQLite counts the cascaded outbox row in the delete: consumption must not need `== 1`."""
    from models import MailKind, OutboxMail

    invitation = await saml_invitation(sso_a, "queued")
    await OutboxMail.create(
        kind=MailKind.INVITATION,
        to_address=invitation.email,
        subject="Invitation",
        text_body="…",
        invitation=invitation,
        next_attempt_at=datetime.now(UTC),
    )
    response = await sso_a.post(sso_a.signed(sso_a.spec(await sso_a.login(), invitation.email)))
    assert response.status_code == 303
    assert await User.exists(username="queued", auth_method=AuthMethod.SAML)
    assert not await Invitation.exists(id=invitation.id)
