"""The page the mailed verification link opens, served by Tenantry itself."""

from __future__ import annotations

from models import Session, User
from tests.own_pages import FROM_OUR_PAGE
from tests.smtp_server import token_in


async def sign_up(gql) -> None:
    await gql(
        "mutation($i: SignUpInput!) { signUp(input: $i) { __typename } }",
        {"i": {"tenant": "acme", "username": "ana", "email": "ana@example.com",
               "password": "a long and private passphrase"}},
    )  # fmt: skip


async def test_opening_the_link_asks_for_a_click_and_verifies_nothing(http, gql, whitelist, smtp):
    await sign_up(gql)
    [message] = await smtp.wait_for(1)
    page = await http.get("/verify-email", params={"token": token_in(message, "/verify-email")})
    assert page.status_code == 200
    assert "Confirm my e-mail address" in page.text
    assert not (await User.get(username="ana")).email_verified


async def test_confirming_verifies_the_address_and_signs_in(http, gql, whitelist, smtp):
    await sign_up(gql)
    [message] = await smtp.wait_for(1)
    token = token_in(message, "/verify-email")
    page = await http.post("/verify-email", data={"token": token}, headers=FROM_OUR_PAGE)
    assert "signed in" in page.text
    assert (await User.get(username="ana")).email_verified
    assert (await gql("{ me { username } }")).ok() == {"me": {"username": "ana"}}
    again = await http.post("/verify-email", data={"token": token}, headers=FROM_OUR_PAGE)
    assert again.status_code == 404


async def test_a_confirmation_posted_from_another_site_is_refused_and_verifies_nothing(
    http, gql, whitelist, smtp
):
    await sign_up(gql)
    [message] = await smtp.wait_for(1)
    sessions = await Session.all().count()
    page = await http.post(
        "/verify-email", data={"token": token_in(message, "/verify-email")},
        headers={"Origin": "https://attacker.example"},
    )  # fmt: skip
    assert page.status_code == 403
    assert "set-cookie" not in page.headers
    assert not (await User.get(username="ana")).email_verified
    assert await Session.all().count() == sessions


async def test_a_confirmation_posted_without_an_origin_is_refused(http, gql, whitelist, smtp):
    await sign_up(gql)
    [message] = await smtp.wait_for(1)
    page = await http.post("/verify-email", data={"token": token_in(message, "/verify-email")})
    assert page.status_code == 403
    assert not (await User.get(username="ana")).email_verified
