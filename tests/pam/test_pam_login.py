"""PAM users sign in with the system password of their username; the system decides."""

from __future__ import annotations

from domain.auth import pam
from models import AuthMethod, Session
from tests.pam.conftest import SystemAccount

LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginSuccess { sessionToken user { username authMethod } }
    ... on Error { message }
  }
}
"""
ME = "{ me { username } }"


async def test_the_shipped_service_file_is_the_one_pam_uses(app, system_account: SystemAccount):
    assert pam.service_name() == "tenantry"


async def test_pam_checks_the_system_password_directly(app, system_account: SystemAccount):
    assert await pam.authenticate(system_account.username, system_account.password)
    assert not await pam.authenticate(system_account.username, system_account.password + "x")


async def test_a_pam_user_logs_in_with_the_system_password(gql, make, system_account):
    tenant = await make.tenant("acme")
    await make.user(tenant, username=system_account.username, auth_method=AuthMethod.PAM)
    result = await gql(
        LOGIN,
        {
            "input": {
                "tenant": "acme",
                "username": system_account.username,
                "password": system_account.password,
            }
        },
    )
    login = result.payload("login")
    assert login["__typename"] == "LoginSuccess"
    assert login["user"] == {"username": system_account.username, "authMethod": "PAM"}
    me = await gql(ME, token=login["sessionToken"])
    assert me.ok()["me"] == {"username": system_account.username}


async def test_a_wrong_system_password_answers_like_any_wrong_password(gql, make, system_account):
    tenant = await make.tenant("acme")
    await make.user(tenant, username=system_account.username, auth_method=AuthMethod.PAM)
    wrong = await gql(
        LOGIN,
        {
            "input": {
                "tenant": "acme",
                "username": system_account.username,
                "password": "not-the-password",
            }
        },
    )
    unknown = await gql(
        LOGIN,
        {
            "input": {
                "tenant": "acme",
                "username": "nobody-here",
                "password": "not-the-password",
            }
        },
    )
    assert wrong.payload("login")["__typename"] == "InvalidCredentials"
    assert wrong.payload("login") == unknown.payload("login")
    assert await Session.all().count() == 0


async def test_a_password_user_does_not_get_in_with_the_system_password(gql, make, system_account):
    """Same username, Password method: the local hash decides, never PAM."""
    tenant = await make.tenant("acme")
    await make.user(tenant, username=system_account.username, auth_method=AuthMethod.PASSWORD)
    result = await gql(
        LOGIN,
        {
            "input": {
                "tenant": "acme",
                "username": system_account.username,
                "password": system_account.password,
            }
        },
    )
    assert result.payload("login")["__typename"] == "InvalidCredentials"


async def test_passwords_pam_cannot_take_are_just_wrong(app, system_account: SystemAccount):
    for password in ("\ud800", system_account.password + "\x00", ""):
        assert not await pam.authenticate(system_account.username, password)
    assert not await pam.authenticate("\ud800", system_account.password)


async def test_a_wrong_pam_password_and_an_unknown_user_take_like_time(gql, make, system_account):
    """pam_faildelay makes a wrong PAM password slow; the default failure delay covers it."""
    import time

    from config import Config, configure, get_config

    before = get_config()
    configure(Config(**{**before.model_dump(), "login_failure_seconds": 2.5}))
    try:
        tenant = await make.tenant("acme")
        await make.user(tenant, username=system_account.username, auth_method=AuthMethod.PAM)
        seconds = []
        for username in (system_account.username, "nobody-here"):
            started = time.monotonic()
            await gql(
                LOGIN,
                {"input": {"tenant": "acme", "username": username, "password": "not-the-password"}},
            )
            seconds.append(time.monotonic() - started)
    finally:
        configure(before)
    pam_wrong, unknown = seconds
    assert unknown >= 2.5
    assert abs(pam_wrong - unknown) < 0.5, seconds
