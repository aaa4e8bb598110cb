"""PAM users are not exempt from second factors: the system password is only the first step."""

from __future__ import annotations

from models import AuthMethod
from tests.mfa.helpers import DISABLE_TOTP, code_at, complete, enroll_totp, login, with_totp
from tests.pam.conftest import SystemAccount


async def test_a_pam_user_with_totp_needs_a_code_after_the_system_password(
    gql, make, system_account: SystemAccount
):
    tenant = await make.tenant("acme")
    user = await make.user(tenant, username=system_account.username, auth_method=AuthMethod.PAM)
    secret, _ = await with_totp(user)
    step = await login(gql, user, system_account.password)
    assert step["__typename"] == "MfaRequired"
    outcome = await complete(gql, step["challengeToken"], code=code_at(secret))
    assert outcome["__typename"] == "LoginSuccess"


async def test_a_pam_user_of_a_tenant_that_requires_mfa_must_enroll(
    gql, make, system_account: SystemAccount
):
    tenant = await make.tenant("acme")
    tenant.require_mfa = True
    await tenant.save()
    user = await make.user(tenant, username=system_account.username, auth_method=AuthMethod.PAM)
    step = await login(gql, user, system_account.password)
    assert step["enrollmentRequired"] is True
    secret = await enroll_totp(gql, token=step["challengeToken"])
    outcome = await complete(gql, step["challengeToken"], code=code_at(secret, 1))
    assert outcome["__typename"] == "LoginSuccess"


async def test_turning_totp_off_takes_the_system_password(gql, make, system_account: SystemAccount):
    tenant = await make.tenant("acme")
    person = await make.person(tenant, username=system_account.username, auth_method=AuthMethod.PAM)
    secret, _ = await with_totp(person.user)
    outcome = (
        await gql(DISABLE_TOTP, {"password": system_account.password, "code": code_at(secret)},
                  as_=person)
    ).payload("disableTotp")  # fmt: skip
    assert outcome["__typename"] == "UserPayload"
