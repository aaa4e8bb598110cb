"""The pages the mailed invitation link opens, served by Tenantry itself."""

from __future__ import annotations

from models import Invitation, User
from tests.invitations.helpers import PASSWORD, invite, mailed_token


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
    page = await http.post("/accept-invitation", data={"token": token, "password": PASSWORD})
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
    page = await http.post("/accept-invitation", data={"token": token, "password": "short"})
    assert "at least 8 characters" in page.text
    assert await Invitation.exists(username="nina")
    assert not await User.exists(username="nina")


async def test_an_unusable_link_says_so_without_telling_why(http, cast):
    page = await http.get("/accept-invitation", params={"token": "x.y"})
    assert page.status_code == 404
    assert "not valid" in page.text
