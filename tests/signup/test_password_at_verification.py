"""The password of a PASSWORD sign-up may come with signUp or with verifyEmail, and a stranger's
sign-up never plants one in the account the address's owner activates (issue 14, part 4).

The rule: a password sent with verifyEmail wins. Without one, the password sent with signUp is
used only when no other sign-up of the address came before it; otherwise verifyEmail must
carry a password (ValidationError, the link still usable)."""

from __future__ import annotations

import pytest

from models import AuditEvent, AuthMethod, DomainStatus, Role, SignupDomain, User
from tests.signup.queries import LOGIN, SIGN_UP, VERIFY
from tests.smtp_server import token_in

OWNERS = "the owner's own passphrase"
STRANGERS = "the stranger's passphrase"


def sign_up(username: str = "ana", password: str | None = None) -> dict:
    return {"input": {"tenant": "acme", "username": username, "email": "ana@example.com",
                      "password": password}}  # fmt: skip


async def signed_up(gql, smtp, username: str = "ana", password: str | None = None) -> str:
    """Sign up; the token of the verification link that arrives."""
    before = len(smtp.messages)
    result = (await gql(SIGN_UP, sign_up(username, password))).payload("signUp")
    assert result["__typename"] == "SignUpSuccess", result
    return token_in((await smtp.wait_for(before + 1))[before], "/verify-email")


async def verify(gql, token: str, password: str | None = None) -> dict:
    return (await gql(VERIFY, {"token": token, "password": password})).payload("verifyEmail")


async def login(gql, username: str, password: str) -> str:
    variables = {"input": {"tenant": "acme", "username": username, "password": password}}
    return (await gql(LOGIN, variables)).payload("login")["__typename"]


async def test_a_password_domain_takes_a_sign_up_without_a_password(gql, whitelist, smtp):
    await signed_up(gql, smtp)
    user = await User.get(username="ana")
    assert (user.email_verified, user.password_hash) == (False, None)


async def test_the_password_sent_with_verification_becomes_the_accounts(gql, whitelist, smtp):
    token = await signed_up(gql, smtp)
    verified = await verify(gql, token, OWNERS)
    assert verified["__typename"] == "LoginSuccess"
    assert await login(gql, "ana", OWNERS) == "LoginSuccess"


async def test_verifying_a_sign_up_without_any_password_keeps_the_link_and_asks_for_one(
    gql, whitelist, smtp
):
    token = await signed_up(gql, smtp)
    refused = await verify(gql, token)
    assert (refused["__typename"], refused["field"]) == ("ValidationError", "password")
    assert not (await User.get(username="ana")).email_verified
    assert (await verify(gql, token, OWNERS))["__typename"] == "LoginSuccess"


@pytest.mark.parametrize("password", ["short", "ana", "acme", "password123"])
async def test_a_password_at_verification_follows_the_rules_and_keeps_the_link(
    gql, whitelist, smtp, password
):
    token = await signed_up(gql, smtp)
    refused = await verify(gql, token, password)
    assert (refused["__typename"], refused["field"]) == ("ValidationError", "password")
    assert not (await User.get(username="ana")).email_verified
    assert (await verify(gql, token, OWNERS))["__typename"] == "LoginSuccess"


async def test_the_password_at_verification_wins_over_the_one_sent_with_sign_up(
    gql, whitelist, smtp
):
    token = await signed_up(gql, smtp, password=STRANGERS)
    await verify(gql, token, OWNERS)
    assert await login(gql, "ana", OWNERS) == "LoginSuccess"
    assert await login(gql, "ana", STRANGERS) == "InvalidCredentials"


async def test_the_only_sign_up_of_an_address_may_be_verified_with_its_own_password(
    gql, whitelist, smtp
):
    # contract.graphql's flow: signUp with a password, then verifyEmail(token).
    token = await signed_up(gql, smtp, password=OWNERS)
    assert (await verify(gql, token))["__typename"] == "LoginSuccess"
    assert await login(gql, "ana", OWNERS) == "LoginSuccess"


async def test_a_strangers_later_sign_up_never_plants_a_password_in_the_owners_account(
    gql, whitelist, smtp
):
    # The owner signs up; a stranger signs up with the owner's address and a password of
    # their own, replacing it; the owner follows the newest link from their inbox.
    await signed_up(gql, smtp, password=OWNERS)
    newest = await signed_up(gql, smtp, username="mallet", password=STRANGERS)

    refused = await verify(gql, newest)
    assert (refused["__typename"], refused["field"]) == ("ValidationError", "password")
    assert (await verify(gql, newest, OWNERS))["__typename"] == "LoginSuccess"

    assert await login(gql, "mallet", STRANGERS) == "InvalidCredentials"
    assert await login(gql, "mallet", OWNERS) == "LoginSuccess"


async def test_a_strangers_earlier_sign_up_leaves_no_password_behind(gql, whitelist, smtp):
    await signed_up(gql, smtp, username="mallet", password=STRANGERS)
    owners = await signed_up(gql, smtp, password=OWNERS)

    refused = await verify(gql, owners)
    assert (refused["__typename"], refused["field"]) == ("ValidationError", "password")
    assert (await verify(gql, owners, OWNERS))["__typename"] == "LoginSuccess"
    assert await login(gql, "ana", STRANGERS) == "InvalidCredentials"
    assert await login(gql, "mallet", STRANGERS) == "InvalidCredentials"


async def test_a_sign_up_that_replaced_another_keeps_no_password(gql, whitelist, smtp):
    await signed_up(gql, smtp, password=OWNERS)
    await signed_up(gql, smtp, username="mallet", password=STRANGERS)
    assert (await User.get(username="mallet")).password_hash is None


async def test_a_pam_sign_up_takes_no_password_at_verification(gql, cast, smtp):
    await SignupDomain.create(tenant=cast.tenant_a, domain="example.com", default_role=Role.GUEST,
                              auth_method=AuthMethod.PAM, status=DomainStatus.VERIFIED)  # fmt: skip
    token = await signed_up(gql, smtp)
    refused = await verify(gql, token, OWNERS)
    assert (refused["__typename"], refused["field"]) == ("ValidationError", "password")
    assert (await verify(gql, token))["__typename"] == "LoginSuccess"
    assert (await User.get(username="ana")).password_hash is None


async def test_a_password_chosen_at_verification_is_audited_without_its_value(gql, whitelist, smtp):
    token = await signed_up(gql, smtp)
    await verify(gql, token, OWNERS)
    event = await AuditEvent.get(action="user.email_verified")
    assert event.changes == {"password": "<set>"}
    assert OWNERS not in str(event.changes)
