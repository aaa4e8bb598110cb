"""Over https a SAML login is bound to the browser that started it (login CSRF): a response
to someone else's login, posted from another browser, signs nobody in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace

import pytest

from models import AuthMethod, Session, User
from tests.other_settings import ClientFactory
from tests.saml.conftest import SsoTenant

HTTPS = "https://tenantry.test"
Browser = Callable[[], AbstractAsyncContextManager[SsoTenant]]


@pytest.fixture
async def sam(make, sso_a: SsoTenant) -> User:
    user = await make.user(
        sso_a.tenant, username="sam", email="sam@acme.example", auth_method=AuthMethod.SAML
    )
    user.saml_idp_entity_id, user.saml_name_id = sso_a.idp_entity_id, "sam@acme.example"
    await user.save()
    return user


@pytest.fixture
def browser(client_with: ClientFactory, sso_a: SsoTenant) -> Browser:
    """A browser of its own (its own cookies) on the app served at an https public URL."""

    @asynccontextmanager
    async def open_browser() -> AsyncIterator[SsoTenant]:
        async with client_with(public_url=HTTPS) as client:
            yield replace(sso_a, http=client, public_url=HTTPS)

    return open_browser


def binding_cookie(response) -> str:
    [header] = [h for h in response.headers.get_list("set-cookie") if "tenantry_saml_" in h]
    return header


async def test_over_https_the_login_gives_its_browser_a_host_only_secure_key(
    browser: Browser,
) -> None:
    async with browser() as sso:
        response = await sso.http.get("/saml/acme/login")

    header = binding_cookie(response)
    # __Host-: only this host over https may set it, so nobody else can plant a key.
    assert header.startswith("__Host-tenantry_saml_")
    assert "domain=" not in header.lower()
    assert all(
        part in header.lower()
        for part in ("path=/;", "secure", "httponly", "samesite=none", "max-age=600")
    )


async def test_over_https_the_browser_that_started_the_login_signs_in(
    browser: Browser, sam: User
) -> None:
    async with browser() as sso:
        request_id = await sso.login()
        response = await sso.post(sso.signed(sso.spec(request_id, "sam@acme.example")))

    assert response.status_code == 303
    assert "tenantry_session=" in response.headers["set-cookie"]
    assert "max-age=0" in binding_cookie(response).lower()  # the key is spent
    assert await Session.filter(user_id=sam.id).count() == 1


async def test_a_response_to_someone_elses_login_is_refused_in_another_browser(
    browser: Browser, sam: User
) -> None:
    # Sam starts a login and signs in at the IdP, then has a victim's browser post the answer.
    async with browser() as attacker, browser() as victim:
        request_id = await attacker.login()
        response = await victim.post(attacker.signed(attacker.spec(request_id, "sam@acme.example")))

    assert response.status_code == 403
    assert "tenantry_session=" not in response.headers.get("set-cookie", "")
    assert await Session.filter(user_id=sam.id).count() == 0


async def test_a_guessed_key_is_refused(browser: Browser, sam: User) -> None:
    async with browser() as attacker, browser() as victim:
        request_id = await attacker.login()
        [name] = [c for c in attacker.http.cookies if c.startswith("__Host-tenantry_saml_")]
        victim.http.cookies.set(name, "guessed", domain="tenantry.test", path="/")
        response = await victim.post(attacker.signed(attacker.spec(request_id, "sam@acme.example")))

    assert response.status_code == 403
    assert await Session.filter(user_id=sam.id).count() == 0


async def test_over_plain_http_no_key_is_given(sso_a: SsoTenant) -> None:
    response = await sso_a.http.get("/saml/acme/login")

    assert response.status_code == 302
    assert "tenantry_saml_" not in response.headers.get("set-cookie", "")
