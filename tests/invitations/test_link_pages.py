"""The pages the mailed invitation link opens, served by Tenantry itself."""

from __future__ import annotations

import pytest

from models import Invitation, Session, User
from tests.invitations.helpers import PASSWORD, invite, mailed_token
from tests.own_pages import FROM_OUR_PAGE
from tests.web.test_malformed_input import BAD_FORMS, FORM


async def test_opening_the_link_shows_the_invitation_and_uses_nothing_up(http, gql, cast, smtp):
    await invite(gql, cast.admin_a, "nina")
    token = await mailed_token(smtp)
    page = await http.get("/accept-invitation", params={"token": token})
    assert page.status_code == 200
    assert "acme" in page.text and "nina" in page.text
    assert 'type="password"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert await Invitation.exists(username="nina")


async def test_submitting_a_password_accepts_and_signs_in_with_a_cookie(http, gql, cast, smtp):
    await invite(gql, cast.admin_a, "nina")
    token = await mailed_token(smtp)
    page = await http.post(
        "/accept-invitation", data={"token": token, "password": PASSWORD}, headers=FROM_OUR_PAGE
    )
    assert page.status_code == 200
    assert "signed in" in page.text
    assert "tenantry_session=" in page.headers["set-cookie"]
    assert not await Invitation.exists(username="nina")
    me = await gql("{ me { username } }")  # the cookie the page set
    assert me.ok() == {"me": {"username": "nina"}}


async def test_a_password_that_breaks_the_rules_is_explained_and_nothing_changes(
    http, gql, cast, smtp
):
    await invite(gql, cast.admin_a, "nina")
    token = await mailed_token(smtp)
    page = await http.post(
        "/accept-invitation", data={"token": token, "password": "short"}, headers=FROM_OUR_PAGE
    )
    assert "at least 8 characters" in page.text
    assert await Invitation.exists(username="nina")
    assert not await User.exists(username="nina")


async def test_an_unusable_link_says_so_without_telling_why(http, cast):
    page = await http.get("/accept-invitation", params={"token": "x.y"})
    assert page.status_code == 404
    assert "not valid" in page.text


# Login CSRF: another site's page posting the attacker's invitation through the victim's browser.
CROSS_SITE = {
    "another site": {"Origin": "https://attacker.example"},
    "another port": {"Origin": "http://tenantry.test:8080"},
    "another scheme": {"Origin": "https://tenantry.test"},
    "a sandboxed frame": {"Origin": "null"},
    "not an origin": {"Origin": "http://tenantry.test/accept-invitation"},
    "no origin at all": {},
    "a cross-site fetch": {"Sec-Fetch-Site": "cross-site"},
    "a same-site fetch": {"Sec-Fetch-Site": "same-site"},
    "an origin that Sec-Fetch-Site cannot excuse": {
        "Origin": "https://attacker.example", "Sec-Fetch-Site": "same-origin"},
}  # fmt: skip
SAME_ORIGIN = {
    "our origin": FROM_OUR_PAGE,
    "our origin, spelled with its default port": {"Origin": "http://TENANTRY.test:80"},
    "no origin but a same-origin fetch": {"Sec-Fetch-Site": "same-origin"},
}


@pytest.mark.parametrize("sender", sorted(CROSS_SITE))
async def test_a_form_posted_from_elsewhere_is_refused_and_signs_nobody_in(
    http, gql, cast, smtp, sender
):
    await invite(gql, cast.admin_a, "nina")
    token = await mailed_token(smtp)
    sessions = await Session.all().count()
    page = await http.post(
        "/accept-invitation", data={"token": token, "password": PASSWORD},
        headers=CROSS_SITE[sender],
    )  # fmt: skip
    assert page.status_code == 403
    assert "accepted from http://tenantry.test only" in page.text
    assert "set-cookie" not in page.headers
    assert await Invitation.exists(username="nina")
    assert not await User.exists(username="nina")
    assert await Session.all().count() == sessions


async def test_a_form_naming_two_origins_is_refused(http, gql, cast, smtp):
    await invite(gql, cast.admin_a, "nina")
    token = await mailed_token(smtp)
    page = await http.post(
        "/accept-invitation", data={"token": token, "password": PASSWORD},
        headers=[("Origin", "http://tenantry.test"), ("Origin", "https://attacker.example")],
    )  # fmt: skip
    assert page.status_code == 403
    assert await Invitation.exists(username="nina")


@pytest.mark.parametrize("sender", sorted(SAME_ORIGIN))
async def test_a_form_posted_from_our_own_page_is_taken(http, gql, cast, smtp, sender):
    await invite(gql, cast.admin_a, "nina")
    token = await mailed_token(smtp)
    page = await http.post(
        "/accept-invitation", data={"token": token, "password": PASSWORD},
        headers=SAME_ORIGIN[sender],
    )  # fmt: skip
    assert page.status_code == 200
    assert "tenantry_session=" in page.headers["set-cookie"]
    assert not await Invitation.exists(username="nina")


async def test_a_form_with_a_fifth_field_is_still_read(http, gql, cast, smtp):
    await invite(gql, cast.admin_a, "nina")
    token = await mailed_token(smtp)
    body = f"token={token}&password={PASSWORD.replace(' ', '+')}&a=1&b=2&c=3".encode()
    page = await http.post("/accept-invitation", content=body, headers=FORM)
    assert page.status_code == 200
    assert not await Invitation.exists(username="nina")


@pytest.mark.parametrize("flaw", sorted(BAD_FORMS))
async def test_a_malformed_invitation_form_is_refused_and_accepts_nothing(
    http, gql, cast, smtp, flaw
):
    await invite(gql, cast.admin_a, "nina")
    token = await mailed_token(smtp)
    body = f"token={token}&password={PASSWORD.replace(' ', '+')}".encode() + BAD_FORMS[flaw]
    page = await http.post("/accept-invitation", content=body, headers=FORM)
    assert page.status_code == 400
    assert "Request refused" in page.text
    assert await Invitation.exists(username="nina")
