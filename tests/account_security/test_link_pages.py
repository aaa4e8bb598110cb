"""The pages the reset and e-mail change links open, served by Tenantry: opening a link never
uses it up; only the page's own form (a same-origin POST) does."""

from __future__ import annotations

from models import Session, User
from tests.account_security.helpers import ask_for_reset, login, mailed_token
from tests.account_security.queries import UPDATE_EMAIL
from tests.factories import DEFAULT_PASSWORD
from tests.own_pages import FROM_OUR_PAGE
from tests.secrets_seen import remember

CHOSEN = "chosen on the reset page"
remember(CHOSEN)  # posted as a form, not through the GraphQL client
NEW = "mallory@new.example"


async def reset_link(gql, cast, smtp) -> str:
    await ask_for_reset(gql, cast.member_a.user.email)
    return await mailed_token(smtp, "/reset-password")


async def test_opening_a_reset_link_asks_for_a_password_and_changes_nothing(http, gql, cast, smtp):
    token = await reset_link(gql, cast, smtp)
    page = await http.get("/reset-password", params={"token": token})
    assert page.status_code == 200
    assert 'type="password" name="password"' in page.text and "mallory" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert (await User.get(id=cast.member_a.user.id)).password_reset_nonce is not None
    assert await login(gql, "mallory", DEFAULT_PASSWORD) == "LoginSuccess"


async def test_the_reset_form_sets_the_password_and_signs_the_browser_in(http, gql, cast, smtp):
    token = await reset_link(gql, cast, smtp)
    form = {"token": token, "password": CHOSEN}
    page = await http.post("/reset-password", data=form, headers=FROM_OUR_PAGE)
    assert "signed in" in page.text
    assert "tns_" in page.headers["set-cookie"]
    assert (await gql("{ me { username } }")).ok() == {"me": {"username": "mallory"}}
    assert await login(gql, "mallory", CHOSEN) == "LoginSuccess"
    again = await http.post("/reset-password", data=form, headers=FROM_OUR_PAGE)
    assert again.status_code == 404


async def test_a_password_the_rules_refuse_is_asked_again_and_keeps_the_link(http, gql, cast, smtp):
    token = await reset_link(gql, cast, smtp)
    form = {"token": token, "password": "short"}
    page = await http.post("/reset-password", data=form, headers=FROM_OUR_PAGE)
    assert "The password must have at least 8 characters." in page.text
    assert 'name="password"' in page.text
    assert "set-cookie" not in page.headers
    assert await login(gql, "mallory", DEFAULT_PASSWORD) == "LoginSuccess"


async def test_a_reset_posted_from_another_site_or_without_an_origin_is_refused(
    http, gql, cast, smtp
):
    token = await reset_link(gql, cast, smtp)
    sessions = await Session.all().count()
    form = {"token": token, "password": CHOSEN}
    for headers in ({"Origin": "https://attacker.example"}, {}):
        page = await http.post("/reset-password", data=form, headers=headers)
        assert page.status_code == 403
        assert "set-cookie" not in page.headers
    assert await Session.all().count() == sessions
    assert await login(gql, "mallory", DEFAULT_PASSWORD) == "LoginSuccess"


async def test_an_unusable_reset_link_says_so(http, cast):
    for token in ("", "junk", f"{cast.member_a.id}.{'A' * 43}"):
        page = await http.get("/reset-password", params={"token": token})
        assert page.status_code == 404
        assert "not valid" in page.text


async def email_change_link(gql, cast, smtp) -> str:
    await gql(UPDATE_EMAIL, {"id": cast.member_a.id, "email": NEW}, as_=cast.member_a)
    return await mailed_token(smtp, "/confirm-email", 2, to=NEW)


async def test_opening_an_e_mail_change_link_shows_the_address_and_changes_nothing(
    http, gql, cast, smtp
):
    token = await email_change_link(gql, cast, smtp)
    page = await http.get("/confirm-email", params={"token": token})
    assert page.status_code == 200
    assert NEW in page.text and "Confirm the new address" in page.text
    assert (await User.get(id=cast.member_a.user.id)).email == cast.member_a.user.email


async def test_the_confirmation_form_changes_the_address_and_signs_nobody_in(http, gql, cast, smtp):
    token = await email_change_link(gql, cast, smtp)
    page = await http.post("/confirm-email", data={"token": token}, headers=FROM_OUR_PAGE)
    assert page.status_code == 200 and NEW in page.text
    assert "set-cookie" not in page.headers
    assert (await User.get(id=cast.member_a.user.id)).email == NEW
    again = await http.post("/confirm-email", data={"token": token}, headers=FROM_OUR_PAGE)
    assert again.status_code == 404


async def test_a_confirmation_posted_from_another_site_is_refused(http, gql, cast, smtp):
    token = await email_change_link(gql, cast, smtp)
    page = await http.post(
        "/confirm-email", data={"token": token}, headers={"Origin": "https://attacker.example"}
    )
    assert page.status_code == 403
    assert (await User.get(id=cast.member_a.user.id)).pending_email == NEW


async def test_a_confirmation_for_an_address_taken_meanwhile_says_so(http, gql, cast, make, smtp):
    token = await email_change_link(gql, cast, smtp)
    await make.user(cast.tenant_a, username="quicker", email=NEW)
    page = await http.post("/confirm-email", data={"token": token}, headers=FROM_OUR_PAGE)
    assert page.status_code == 409
    assert "used in this tenant" in page.text
