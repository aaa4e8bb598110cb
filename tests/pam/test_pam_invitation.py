"""A PAM invitation is accepted with the system password of the invited username."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain import validation
from domain.invitations import invitation_token
from domain.secrets import new_nonce
from models import AuthMethod, Invitation, Role, Session, User
from tests.pam.conftest import SystemAccount

ACCEPT = """
mutation($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) {
    __typename
    ... on LoginSuccess { sessionToken user { username role authMethod superuser } }
    ... on Error { message }
  }
}
"""
ME = "{ me { username tenant { name } } }"


async def pam_invitation(tenant, account: SystemAccount) -> Invitation:
    email = f"{account.username}@acme.example"
    return await Invitation.create(
        tenant=tenant,
        username=account.username,
        username_key=validation.key(account.username),
        email=email,
        email_key=validation.key(email),
        role=Role.MEMBER,
        auth_method=AuthMethod.PAM,
        nonce=new_nonce(),
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )


async def test_a_pam_invitation_accepted_with_the_system_password_creates_and_signs_in(
    gql, make, system_account: SystemAccount
):
    tenant = await make.tenant("acme")
    invitation = await pam_invitation(tenant, system_account)
    result = await gql(
        ACCEPT,
        {
            "input": {
                "token": invitation_token(invitation),
                "password": system_account.password,
            }
        },
    )
    accepted = result.payload("acceptInvitation")
    assert accepted["__typename"] == "LoginSuccess"
    assert accepted["user"] == {
        "username": system_account.username,
        "role": "MEMBER",
        "authMethod": "PAM",
        "superuser": False,
    }
    me = await gql(ME, token=accepted["sessionToken"])
    assert me.ok()["me"] == {"username": system_account.username, "tenant": {"name": "acme"}}
    user = await User.get(username=system_account.username)
    assert user.password_hash is None  # the system keeps the password, never us
    assert not await Invitation.exists(id=invitation.id)


async def test_a_pam_invitation_with_a_wrong_password_stays_pending(
    gql, make, system_account: SystemAccount
):
    tenant = await make.tenant("acme")
    invitation = await pam_invitation(tenant, system_account)
    result = await gql(
        ACCEPT,
        {
            "input": {
                "token": invitation_token(invitation),
                "password": "not-the-system-password",
            }
        },
    )
    assert result.payload("acceptInvitation")["__typename"] == "InvalidCredentials"
    assert await Invitation.exists(id=invitation.id)
    assert not await User.exists(username=system_account.username)
    assert await Session.all().count() == 0
