"""The page the mailed verification link opens, served by Tenantry itself."""

from __future__ import annotations

from models import Session, User
from tests.own_pages import FROM_OUR_PAGE
from tests.secrets_seen import remember
from tests.smtp_server import token_in

SIGN_UP_PASSWORD = "a long and private passphrase"
CHOSEN_ON_THE_PAGE = "the passphrase chosen on the page"
remember(CHOSEN_ON_THE_PAGE)  # posted as a form, not through the GraphQL client


async def sign_up(gql) -> None:
    await gql(
        "mutation($i: SignUpInput!) { signUp(input: $i) { __typename } }",
        {"i": {"tenant": "acme", "username": "ana", "email": "ana@example.com",
               "password": SIGN_UP_PASSWORD}},
    )  # fmt: skip


async def login(gql, password: str) -> str:
    result = await gql(
        "mutation($i: LoginInput!) { login(input: $i) { __typename } }",
        {"i": {"tenant": "acme", "username": "ana", "password": password}},
    )
    return result.payload("login")["__typename"]


async def test_opening_the_link_asks_for_a_password_and_verifies_nothing(
    http, gql, whitelist, smtp
):
    await sign_up(gql)
    [message] = await smtp.wait_for(1)
    page = await http.get("/verify-email", params={"token": token_in(message, "/verify-email")})
    assert page.status_code == 200
    assert "Confirm my e-mail address" in page.text
    assert 'type="password" name="password" required' in page.text
    assert not (await User.get(username="ana")).email_verified


async def test_confirming_with_a_password_verifies_the_address_sets_it_and_signs_in(
    http, gql, whitelist, smtp
):
    await sign_up(gql)
    [message] = await smtp.wait_for(1)
    token = token_in(message, "/verify-email")
    form = {"token": token, "password": CHOSEN_ON_THE_PAGE}
    page = await http.post("/verify-email", data=form, headers=FROM_OUR_PAGE)
    assert "signed in" in page.text
    assert (await User.get(username="ana")).email_verified
    assert (await gql("{ me { username } }")).ok() == {"me": {"username": "ana"}}
    assert await login(gql, CHOSEN_ON_THE_PAGE) == "LoginSuccess"
    assert await login(gql, SIGN_UP_PASSWORD) == "InvalidCredentials"
    again = await http.post("/verify-email", data=form, headers=FROM_OUR_PAGE)
    assert again.status_code == 404


async def test_the_page_never_activates_the_password_sent_with_the_sign_up(
    http, gql, whitelist, smtp
):
    # Whoever signed up may not own the address: following the mailed link is no consent to
    # the password they chose.
    await sign_up(gql)
    [message] = await smtp.wait_for(1)
    token = token_in(message, "/verify-email")
    page = await http.post("/verify-email", data={"token": token}, headers=FROM_OUR_PAGE)
    assert "Choose a password." in page.text
    assert "set-cookie" not in page.headers
    assert not (await User.get(username="ana")).email_verified
    # The link still works, with a password.
    form = {"token": token, "password": CHOSEN_ON_THE_PAGE}
    assert "signed in" in (await http.post("/verify-email", data=form, headers=FROM_OUR_PAGE)).text


async def test_a_password_the_rules_refuse_is_asked_again_and_keeps_the_link(
    http, gql, whitelist, smtp
):
    await sign_up(gql)
    [message] = await smtp.wait_for(1)
    token = token_in(message, "/verify-email")
    form = {"token": token, "password": "short"}
    page = await http.post("/verify-email", data=form, headers=FROM_OUR_PAGE)
    assert "The password must have at least 8 characters." in page.text
    assert 'name="password"' in page.text
    assert not (await User.get(username="ana")).email_verified


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
