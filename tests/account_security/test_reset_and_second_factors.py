"""A reset link proves the mailbox, not the second factor: it never signs a user with one in
by itself (issue 14: parts 1 and 5 together)."""

from __future__ import annotations

from models import Session, Tenant
from tests.account_security.helpers import NEW_PASSWORD, ask_for_reset, mailed_token
from tests.account_security.queries import RESET
from tests.mfa.helpers import code_at, complete, with_totp
from tests.own_pages import FROM_OUR_PAGE
from tests.secrets_seen import remember

RESET_WITH_CHALLENGE = RESET.replace(
    "... on ValidationError", "... on MfaRequired { challengeToken methods enrollmentRequired }\n"
    "    ... on ValidationError"
)  # fmt: skip


async def reset_answer(gql, token: str) -> dict:
    variables = {"input": {"token": token, "newPassword": NEW_PASSWORD}}
    return (await gql(RESET_WITH_CHALLENGE, variables)).payload("resetPassword")


async def test_a_user_with_a_second_factor_is_asked_for_it_after_a_reset(gql, cast, smtp):
    secret, _ = await with_totp(cast.member_a.user)
    await ask_for_reset(gql, cast.member_a.user.email)
    token = await mailed_token(smtp, "/reset-password")

    answer = await reset_answer(gql, token)

    assert answer["__typename"] == "MfaRequired"
    assert answer["methods"][0] == "TOTP" and answer["enrollmentRequired"] is False
    remember(answer["challengeToken"])
    assert await Session.filter(user_id=cast.member_a.user.id).count() == 0
    finished = await complete(gql, answer["challengeToken"], code=code_at(secret))
    assert finished["__typename"] == "LoginSuccess"


async def test_a_tenant_that_requires_a_second_factor_has_it_enrolled_first(gql, cast, smtp):
    await Tenant.filter(id=cast.tenant_a.id).update(require_mfa=True)
    await ask_for_reset(gql, cast.member_a.user.email)
    token = await mailed_token(smtp, "/reset-password")
    answer = await reset_answer(gql, token)
    assert (answer["__typename"], answer["enrollmentRequired"]) == ("MfaRequired", True)
    remember(answer["challengeToken"])
    assert await Session.filter(user_id=cast.member_a.user.id).count() == 0


async def test_the_reset_page_sets_the_password_but_leaves_the_second_factor_to_sign_in(
    http, gql, cast, smtp
):
    await with_totp(cast.member_a.user)
    await ask_for_reset(gql, cast.member_a.user.email)
    token = await mailed_token(smtp, "/reset-password")
    form = {"token": token, "password": NEW_PASSWORD}
    page = await http.post("/reset-password", data=form, headers=FROM_OUR_PAGE)
    assert "your second factor" in page.text
    assert "set-cookie" not in page.headers
    assert await Session.filter(user_id=cast.member_a.user.id).count() == 0
