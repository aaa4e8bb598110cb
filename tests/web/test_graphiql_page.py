"""GraphiQL's page, assets and sign-in form, over HTTP (tests/browser runs them in chromium)."""

from __future__ import annotations

import re
from pathlib import Path

from httpx import AsyncClient

from models import Session
from tests.factories import DEFAULT_PASSWORD, Cast
from tests.mfa.helpers import code_at, with_totp
from tests.other_settings import ClientFactory
from web.graphiql import STATIC

HTML = {"accept": "text/html"}
OWN_PAGE = {"origin": "http://tenantry.test", "sec-fetch-site": "same-origin"}
SIGN_IN = {"tenant": "acme", "username": "root", "password": DEFAULT_PASSWORD}


def linked_files(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


async def test_the_page_names_no_other_origin(http: AsyncClient) -> None:
    page = await http.get("/graphql", headers=HTML)
    assert page.status_code == 200
    links = linked_files(page.text)
    assert links and all(link.startswith("/") or link == "data:," for link in links), links
    assert "<script>" not in page.text  # no inline script: the policy allows none


async def test_the_page_is_held_to_its_own_origin_by_a_content_security_policy(
    http: AsyncClient,
) -> None:
    policy = (await http.get("/graphql", headers=HTML)).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "http" not in policy and "*" not in policy


async def test_every_file_the_page_names_is_served_with_its_type_for_a_year(
    http: AsyncClient,
) -> None:
    page = await http.get("/graphql", headers=HTML)
    files = [link for link in linked_files(page.text) if link.startswith("/graphiql-assets/")]
    assert len(files) == 8  # GraphiQL (js, css), React, ReactDOM, explorer (js, css), ours
    for link in files:
        answer = await http.get(link)
        assert answer.status_code == 200, link
        kind = "text/css" if ".css?" in link else "text/javascript"
        assert answer.headers["content-type"].startswith(kind), link
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_every_vendored_package_ships_its_licence() -> None:
    licences = {path.name for path in (STATIC / "vendor" / "licenses").iterdir()}
    assert licences == {
        "graphiql-LICENSE.txt", "react-LICENSE.txt", "react-dom-LICENSE.txt",
        "plugin-explorer-LICENSE.txt", "graphiql-explorer-LICENSE.txt",
    }  # fmt: skip
    sources = (STATIC / "vendor" / "SOURCES.txt").read_text()
    for pinned in ("graphiql@3.8.3", "react@18.2.0", "@graphiql/plugin-explorer@1.0.2"):
        assert pinned in sources


def test_the_vendored_files_ask_for_no_source_maps() -> None:
    for path in Path(STATIC / "vendor").glob("*.*"):
        assert "sourceMappingURL" not in path.read_text(), path.name


async def test_without_graphiql_there_are_no_assets_and_no_sign_in(
    client_with: ClientFactory,
) -> None:
    async with client_with(graphiql=False) as client:
        assert (await client.get("/graphiql-assets/tenantry-graphiql.js")).status_code == 404
        assert (await client.get("/graphiql/sign-in")).status_code == 404


async def test_the_page_says_who_is_signed_in(http: AsyncClient, cast: Cast) -> None:
    http.cookies.set("tenantry_session", cast.admin_a.token)
    page = await http.get("/graphql", headers=HTML)
    assert "Signed in as <strong>alice</strong>" in page.text
    assert 'action="/graphiql/sign-out"' in page.text


async def test_signing_in_from_the_servers_own_page_sets_the_session_cookie(
    http: AsyncClient, cast: Cast
) -> None:
    answer = await http.post("/graphiql/sign-in", data=SIGN_IN, headers=OWN_PAGE)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/graphql"
    cookie = answer.headers["set-cookie"].lower()
    assert "tenantry_session=tns_" in cookie and "httponly" in cookie and "samesite=lax" in cookie


async def test_a_sign_in_posted_by_another_site_is_refused(http: AsyncClient, cast: Cast) -> None:
    before = await Session.all().count()
    for headers in (
        {"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
        {"origin": "http://tenantry.test:8080", "sec-fetch-site": "same-site"},
        {"origin": "https://evil.example"},  # an older browser: no Sec-Fetch-Site
        {"origin": "null"},
    ):
        answer = await http.post("/graphiql/sign-in", data=SIGN_IN, headers=headers)
        assert answer.status_code == 403, headers
        assert "set-cookie" not in answer.headers
    assert await Session.all().count() == before


async def test_a_wrong_password_is_explained_and_never_echoed(
    http: AsyncClient, cast: Cast
) -> None:
    wrong = {**SIGN_IN, "password": "not-the-password-4711"}
    answer = await http.post("/graphiql/sign-in", data=wrong, headers=OWN_PAGE)
    assert answer.status_code == 401
    assert "Invalid username or password." in answer.text
    assert "not-the-password-4711" not in answer.text
    assert 'value="root"' in answer.text  # the username stays filled in
    assert "set-cookie" not in answer.headers


async def test_a_sign_in_without_a_tenant_is_a_clear_error(http: AsyncClient) -> None:
    answer = await http.post(
        "/graphiql/sign-in", data={"username": "root", "password": "x"}, headers=OWN_PAGE
    )
    assert answer.status_code == 400
    assert "Give a tenant and a username." in answer.text


async def test_signing_out_ends_the_session_and_clears_the_cookie(
    http: AsyncClient, cast: Cast
) -> None:
    http.cookies.set("tenantry_session", cast.admin_a.token)
    answer = await http.post("/graphiql/sign-out", headers=OWN_PAGE)
    assert answer.status_code == 303
    assert 'tenantry_session=""' in answer.headers["set-cookie"]
    me = await http.post(
        "/graphql",
        json={"query": "{ me { username } }"},
        headers={"authorization": f"Bearer {cast.admin_a.token}"},
    )
    assert me.json() == {"data": {"me": None}}


async def test_a_sign_out_posted_by_another_site_is_refused(http: AsyncClient, cast: Cast) -> None:
    http.cookies.set("tenantry_session", cast.admin_a.token)
    answer = await http.post(
        "/graphiql/sign-out",
        headers={"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
    )
    assert answer.status_code == 403
    me = await http.post(
        "/graphql",
        json={"query": "{ me { username } }"},
        headers={"authorization": f"Bearer {cast.admin_a.token}"},
    )
    assert me.json() == {"data": {"me": {"username": "alice"}}}


async def test_the_sign_in_form_shares_the_login_mutations_rate_limit(
    http: AsyncClient, gql, cast: Cast
) -> None:
    wrong = {**SIGN_IN, "password": "wrong"}
    for _ in range(10):  # the account's limit per minute (domain/ratelimit.py)
        await http.post("/graphiql/sign-in", data=wrong, headers=OWN_PAGE)
    answer = await http.post("/graphiql/sign-in", data=SIGN_IN, headers=OWN_PAGE)
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0
    assert "set-cookie" not in answer.headers
    login = await gql(
        "mutation($i: LoginInput!) { login(input: $i) { __typename } }", {"i": SIGN_IN}
    )
    assert login.data["login"]["__typename"] == "RateLimited"


def _challenge_in(page: str) -> str:
    found = re.search(r'name="challenge" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


async def test_an_account_with_an_authenticator_app_signs_in_with_its_code(
    http: AsyncClient, cast: Cast
) -> None:
    secret, _ = await with_totp(cast.superuser.user)
    first = await http.post("/graphiql/sign-in", data=SIGN_IN, headers=OWN_PAGE)
    assert first.status_code == 200 and "set-cookie" not in first.headers
    challenge = _challenge_in(first.text)
    second = {"challenge": challenge, "code": code_at(secret)}
    answer = await http.post("/graphiql/sign-in", data=second, headers=OWN_PAGE)
    assert answer.status_code == 303
    assert "tenantry_session=tns_" in answer.headers["set-cookie"]


async def test_a_wrong_second_factor_code_signs_nobody_in(http: AsyncClient, cast: Cast) -> None:
    await with_totp(cast.superuser.user)
    first = await http.post("/graphiql/sign-in", data=SIGN_IN, headers=OWN_PAGE)
    second = {"challenge": _challenge_in(first.text), "code": "000000"}
    answer = await http.post("/graphiql/sign-in", data=second, headers=OWN_PAGE)
    assert answer.status_code == 401 and "set-cookie" not in answer.headers


async def test_a_recovery_code_finishes_the_sign_in_too(http: AsyncClient, cast: Cast) -> None:
    _, recovery = await with_totp(cast.superuser.user)
    first = await http.post("/graphiql/sign-in", data=SIGN_IN, headers=OWN_PAGE)
    second = {"challenge": _challenge_in(first.text), "code": recovery[0]}
    answer = await http.post("/graphiql/sign-in", data=second, headers=OWN_PAGE)
    assert answer.status_code == 303
