"""A deactivated PAM user does not get in with the right system password; reactivated, they do."""

from __future__ import annotations

from models import AuthMethod, Role, Session
from tests.pam.conftest import SystemAccount

LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) { __typename ... on Error { message } }
}
"""
DEACTIVATE = "mutation($id: ID!) { deactivateUser(id: $id) { __typename } }"
REACTIVATE = "mutation($id: ID!) { reactivateUser(id: $id) { __typename } }"


def login_input(username: str, password: str) -> dict[str, object]:
    return {"input": {"tenant": "acme", "username": username, "password": password}}


async def test_a_deactivated_pam_user_is_refused_like_a_wrong_password(
    gql, make, system_account: SystemAccount
):
    tenant = await make.tenant("acme")
    admin = await make.person(tenant, username="boss", role=Role.ADMIN)
    user = await make.user(tenant, username=system_account.username, auth_method=AuthMethod.PAM)
    deactivated = await gql(DEACTIVATE, {"id": str(user.id)}, as_=admin)
    assert deactivated.payload("deactivateUser")["__typename"] == "UserPayload"

    right = await gql(LOGIN, login_input(system_account.username, system_account.password))
    wrong = await gql(LOGIN, login_input(system_account.username, "not-the-password"))
    assert right.payload("login")["__typename"] == "InvalidCredentials"
    assert right.payload("login") == wrong.payload("login")
    assert not await Session.filter(user_id=user.id).exists()

    await gql(REACTIVATE, {"id": str(user.id)}, as_=admin)
    again = await gql(LOGIN, login_input(system_account.username, system_account.password))
    assert again.payload("login")["__typename"] == "LoginSuccess"
