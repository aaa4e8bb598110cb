"""A frontend on another origin calls Tenantry from chromium: listed origins with the session
cookie or a bearer token, persisted-query GETs included; an unlisted origin gets nothing, and
its request is not even sent."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from models import ApiToken
from tests.browser.conftest import (
    LiveServer,
    Tenantry,
    browsing,
    free_socket,
    frontend_app,
    serving,
)
from tests.browser.graphiql_page import sign_in
from tests.factories import DEFAULT_PASSWORD, Cast

# docs/frontend.md "CORS" shows this file's fetch(); the first test runs it as it is.
SNIPPET = Path(__file__).with_name("cors-snippet.js")

# Runs in the frontend's page: fetch() as a frontend's code would call it.
FETCH = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return {
      status: response.status,
      body: await response.json(),
      requestId: response.headers.get("X-Request-ID"),
    };
  } catch (error) {
    return { error: String(error) };
  }
}"""
JSON = {"Content-Type": "application/json"}


class Frontends:
    def __init__(self, listed_port: int, unlisted_port: int) -> None:
        # Another port on the same host: another origin on the same site (a Vite dev server).
        self.same_site = f"http://127.0.0.1:{listed_port}"
        # Another host: another site (an app on its own domain); SameSite cookies stay home.
        self.other_site = f"http://localhost:{listed_port}"
        self.unlisted = f"http://127.0.0.1:{unlisted_port}"


@pytest.fixture(scope="module")
async def frontends() -> AsyncIterator[Frontends]:
    listed, unlisted = free_socket(), free_socket()
    async with serving(frontend_app(), listed), serving(frontend_app(), unlisted):
        yield Frontends(listed.getsockname()[1], unlisted.getsockname()[1])


@pytest.fixture(scope="module")
async def server(live_server: LiveServer, frontends: Frontends) -> AsyncIterator[Tenantry]:
    origins = [frontends.same_site, frontends.other_site]
    async with live_server(cors_origins=origins) as tenantry:
        yield tenantry


@pytest.fixture
async def browser_context(browser: Any, server: Tenantry, frontends: Frontends) -> Any:
    allowed = (server.url, frontends.same_site, frontends.other_site, frontends.unlisted)
    async with browsing(browser, *allowed) as (context, _):
        yield context


async def call_from(context: Any, origin: str, url: str, init: dict[str, Any]) -> dict[str, Any]:
    page = await context.new_page()
    await page.goto(f"{origin}/")
    return await page.evaluate(FETCH, [url, init])


def post(query: str, **headers: str) -> dict[str, Any]:
    import json

    return {"method": "POST", "headers": {**JSON, **headers}, "body": json.dumps({"query": query})}


async def test_a_frontend_on_the_same_site_signs_in_and_calls_with_the_session_cookie(
    browser_context: Any, server: Tenantry, frontends: Frontends, cast: Cast
) -> None:
    page = await browser_context.new_page()
    await page.goto(f"{frontends.same_site}/")
    await page.evaluate("url => { window.tenantryGraphqlUrl = url; }", f"{server.url}/graphql")
    await page.add_script_tag(content=SNIPPET.read_text())  # as docs/frontend.md shows it
    answers = await page.evaluate(
        """async ([tenant, username, password]) => ({
          login: await signIn(tenant, username, password),
          me: await graphql("{ me { username } }"),
        })""",
        ["acme", "alice", DEFAULT_PASSWORD],
    )
    assert answers["login"] == {"__typename": "LoginSuccess"}
    assert answers["me"] == {"data": {"me": {"username": "alice"}}}


async def test_an_exposed_header_is_readable_from_a_listed_origin(
    browser_context: Any, server: Tenantry, frontends: Frontends, cast: Cast
) -> None:
    init = post("{ me { username } }", Authorization=f"Bearer {cast.admin_a.token}")
    answer = await call_from(browser_context, frontends.same_site, f"{server.url}/graphql", init)
    assert answer["requestId"]


async def test_a_frontend_on_another_site_calls_with_a_bearer_token_and_apollos_headers(
    browser_context: Any, server: Tenantry, frontends: Frontends, cast: Cast
) -> None:
    init = post(
        "{ me { username } }",
        Authorization=f"Bearer {cast.admin_a.token}",
        **{"apollographql-client-name": "web", "apollographql-client-version": "1.2.3"},
    )
    answer = await call_from(browser_context, frontends.other_site, f"{server.url}/graphql", init)
    assert answer["body"] == {"data": {"me": {"username": "alice"}}}


async def test_a_frontend_runs_a_persisted_query_over_get(
    browser_context: Any, server: Tenantry, frontends: Frontends, cast: Cast
) -> None:
    query = "query PersistedMe { me { username } } # browser"
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = f'{{"persistedQuery":{{"version":1,"sha256Hash":"{digest}"}}}}'
    auth = {"Authorization": f"Bearer {cast.admin_a.token}", "apollographql-client-name": "web"}
    register = {**post(query, **auth)}
    register["body"] = register["body"][:-1] + f', "extensions": {extensions}}}'
    registered = await call_from(
        browser_context, frontends.other_site, f"{server.url}/graphql", register
    )
    assert registered["body"] == {"data": {"me": {"username": "alice"}}}
    url = f"{server.url}/graphql?operationName=PersistedMe&extensions={extensions}"
    answer = await call_from(
        browser_context, frontends.other_site, url, {"method": "GET", "headers": auth}
    )
    assert answer["body"] == {"data": {"me": {"username": "alice"}}}


async def test_an_unlisted_origin_can_neither_read_nor_send_with_the_users_cookie(
    browser_context: Any, server: Tenantry, frontends: Frontends, cast: Cast
) -> None:
    page = await browser_context.new_page()
    await sign_in(page, server.url, "acme", "alice", DEFAULT_PASSWORD)  # the cookie is there
    mutation = 'mutation { createApiToken(name: "stolen") { __typename } }'
    sent = await call_from(
        browser_context, frontends.unlisted, f"{server.url}/graphql",
        {**post(mutation), "credentials": "include"},
    )  # fmt: skip
    assert "error" in sent  # the browser refused: the preflight found no permission
    assert not await ApiToken.exists(name="stolen")  # and the mutation was never sent
    read = await call_from(
        browser_context, frontends.unlisted, f"{server.url}/graphql?query={{me{{username}}}}",
        {"credentials": "include"},
    )  # fmt: skip
    assert "error" in read  # a simple GET is sent, but its answer is kept from the page
