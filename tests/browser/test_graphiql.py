"""GraphiQL in a real browser with no way out of the server: it loads, signs in through its
own form, runs what the explorer builds, and leaves no secret in the browser."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from models import Role, Session
from tests.browser.conftest import LiveServer, Tenantry, browsing
from tests.browser.graphiql_page import (
    editor_text,
    everything_the_browser_keeps,
    open_graphiql,
    run,
    set_editor,
    sign_in,
)
from tests.factories import DEFAULT_PASSWORD, Cast, Factory
from tests.secrets_seen import remember

PASSWORD = "a distinctive passphrase 42"


@pytest.fixture(scope="module")
async def server(live_server: LiveServer) -> AsyncIterator[Tenantry]:
    async with live_server() as tenantry:
        yield tenantry


async def test_graphiql_loads_every_file_from_the_server_itself(browser: Any, server) -> None:
    requested: list[str] = []
    problems: list[str] = []
    async with browsing(browser, server.url) as (context, _):
        page = await context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        await open_graphiql(page, server.url)
        await page.click("[aria-label='Show Documentation Explorer']")
        await page.wait_for_selector(".graphiql-doc-explorer >> text=Query")
        assert await page.locator("text=Loading…").count() == 0
    assert requested and all(url.startswith(f"{server.url}/") for url in requested), requested
    assert problems == []  # no file refused by the Content-Security-Policy, no script error


async def test_the_sign_in_form_signs_graphiql_in_with_a_cookie_no_script_can_read(
    browser: Any, server, cast: Cast
) -> None:
    async with browsing(browser, server.url) as (context, _):
        page = await context.new_page()
        await sign_in(page, server.url, "acme", "root", DEFAULT_PASSWORD)
        assert "Signed in as root" in await page.inner_text(".tenantry-bar")
        answer = await run(page)
        assert answer == {"data": {"me": {"username": "root"}}}
        assert "tenantry_session" not in await page.evaluate("document.cookie")
        (cookie,) = [c for c in await context.cookies() if c["name"] == "tenantry_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"


async def test_a_wrong_password_on_the_sign_in_form_signs_nobody_in(
    browser: Any, server, cast: Cast
) -> None:
    async with browsing(browser, server.url) as (context, _):
        page = await context.new_page()
        await open_graphiql(page, server.url)
        await page.click("a[href='/graphiql/sign-in']")
        await page.fill("input[name=tenant]", "acme")
        await page.fill("input[name=username]", "root")
        await page.fill("input[name=password]", "not the password")
        await page.click("button[type=submit]")
        assert "Invalid username or password." in await page.inner_text("[role=alert]")
        assert await page.input_value("input[name=password]") == ""
        assert await context.cookies() == []


async def test_a_query_built_in_the_explorer_runs(browser: Any, server, cast: Cast) -> None:
    async with browsing(browser, server.url) as (context, _):
        page = await context.new_page()
        await sign_in(page, server.url, "acme", "root", DEFAULT_PASSWORD)
        await set_editor(page, "query", "")
        await page.click("[aria-label='Show GraphiQL Explorer']")
        await page.click(".graphiql-explorer-root [data-field-name='me']")
        await page.click(".graphiql-explorer-me [data-field-name='email']")
        assert "email" in await editor_text(page, "query")
        answer = await run(page)
    assert answer == {"data": {"me": {"email": cast.superuser.user.email}}}


async def test_no_password_or_token_is_kept_by_the_browser(
    browser: Any, server, make: Factory
) -> None:
    tenant = await make.tenant("keepers")
    await make.user(tenant, username="keeper", role=Role.ADMIN, password=PASSWORD)
    remember(PASSWORD)
    async with browsing(browser, server.url) as (context, _):
        page = await context.new_page()
        await sign_in(page, server.url, "keepers", "keeper", PASSWORD)
        # What the issue saw: a login mutation typed into the editor, password and all.
        await set_editor(
            page,
            "query",
            'mutation { login(input: {tenant: "keepers", username: "keeper", password: '
            f'"{PASSWORD}"}}) {{ ... on LoginSuccess {{ sessionToken }} }} }}',
        )
        answer = await run(page)
        assert "data" in answer, answer
        session_token = answer["data"]["login"]["sessionToken"]
        await set_editor(
            page,
            "query",
            'mutation($p: String!) { login(input: {tenant: "keepers", username: "keeper", '
            "password: $p}) { __typename } }",
        )
        await set_editor(page, "variables", json.dumps({"p": PASSWORD}))
        await run(page)
        await set_editor(page, "variables", "")
        await set_editor(
            page, "query", 'mutation { createApiToken(name: "ci") { ... on CreateApiTokenSuccess '
            "{ token } } }",
        )  # fmt: skip
        api_token = (await run(page))["data"]["createApiToken"]["token"]
        await set_editor(page, "query", "{ me { username } }")
        await set_editor(page, "headers", json.dumps({"Authorization": f"Bearer {api_token}"}))
        assert (await run(page))["data"]["me"]["username"] == "keeper"
        await page.click("[aria-label='Show History']")  # GraphiQL's history is kept too

        kept = await everything_the_browser_keeps(page)
        await page.reload()
        await page.wait_for_selector(".graphiql-query-editor .CodeMirror")
        after_reload = await editor_text(page, "query") + await editor_text(page, "headers")
        kept_after_reload = await everything_the_browser_keeps(page)
    remember(session_token)
    remember(api_token)
    for secret in (PASSWORD, session_token, api_token):
        assert secret not in kept
        assert secret not in kept_after_reload
        assert secret not in after_reload
    assert set(json.loads(kept)["localStorage"]) <= {
        "graphiql:theme", "graphiql:visiblePlugin", "graphiql:editorFlex",
        "graphiql:docExplorerFlex", "graphiql:secondaryEditorFlex",
    }  # fmt: skip


async def test_what_an_older_graphiql_left_in_the_browser_is_forgotten(
    browser: Any, server
) -> None:
    async with browsing(browser, server.url) as (context, _):
        page = await context.new_page()
        await open_graphiql(page, server.url)
        await page.evaluate(
            """(password) => {
              localStorage.setItem("graphiql:query", `mutation { login(password: "${password}") }`);
              localStorage.setItem("graphiql:tabState", JSON.stringify({ password }));
            }""",
            PASSWORD,
        )
        await page.reload()
        await page.wait_for_selector(".graphiql-query-editor .CodeMirror")
        assert PASSWORD not in await everything_the_browser_keeps(page)
        assert PASSWORD not in await editor_text(page, "query")


async def test_signing_out_ends_the_session(browser: Any, server, cast: Cast) -> None:
    async with browsing(browser, server.url) as (context, _):
        page = await context.new_page()
        await sign_in(page, server.url, "acme", "root", DEFAULT_PASSWORD)
        sessions = await Session.filter(user_id=cast.superuser.user.id).count()
        await page.click("text=Sign out")
        await page.wait_for_selector("text=Not signed in")
        await page.wait_for_selector(".graphiql-query-editor .CodeMirror")
        assert await run(page) == {"data": {"me": None}}
        assert [c for c in await context.cookies() if c["name"] == "tenantry_session"] == []
    assert await Session.filter(user_id=cast.superuser.user.id).count() == sessions - 1


async def test_a_superuser_explores_with_trusted_documents_on(
    browser: Any, live_server: LiveServer, cast: Cast, tmp_path: Path
) -> None:
    trusted = "query Trusted { me { username } }"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({hashlib.sha256(trusted.encode()).hexdigest(): trusted}))
    async with (
        live_server(trusted_documents=manifest) as strict,
        browsing(browser, strict.url) as (context, _),
    ):
        page = await context.new_page()
        await sign_in(page, strict.url, "acme", "root", DEFAULT_PASSWORD)
        await page.click("[aria-label='Show GraphiQL Explorer']")
        await page.wait_for_selector(".graphiql-explorer-root [data-field-name='me']")
        await set_editor(page, "query", "{ me { email } }")
        answer = await run(page)
    assert answer == {"data": {"me": {"email": cast.superuser.user.email}}}
