"""What an admin does in GraphiQL, as page actions (Playwright)."""

from __future__ import annotations

import json
from typing import Any

EDITORS = {
    "query": ".graphiql-query-editor .CodeMirror",
    "variables": ".graphiql-editor-tool .graphiql-editor:nth-child(1) .CodeMirror",
    "headers": ".graphiql-editor-tool .graphiql-editor:nth-child(2) .CodeMirror",
    "result": ".result-window .CodeMirror",
}


async def open_graphiql(page: Any, url: str) -> None:
    await page.goto(f"{url}/graphql")
    await page.wait_for_selector(EDITORS["query"])


async def sign_in(page: Any, url: str, tenant: str, username: str, password: str) -> None:
    await open_graphiql(page, url)
    await page.click("a[href='/graphiql/sign-in']")
    await page.fill("input[name=tenant]", tenant)
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_selector(EDITORS["query"])


async def set_editor(page: Any, editor: str, text: str) -> None:
    """Types into GraphiQL's editor through CodeMirror, as keystrokes would."""
    await page.eval_on_selector(EDITORS[editor], "(e, text) => e.CodeMirror.setValue(text)", text)
    if editor != "result":
        await page.wait_for_timeout(600)  # GraphiQL reads edits after a 500 ms debounce


async def editor_text(page: Any, editor: str) -> str:
    return await page.eval_on_selector(EDITORS[editor], "e => e.CodeMirror.getValue()")


async def run(page: Any) -> dict[str, Any]:
    """Clicks the run button; the answer shown in the result pane."""
    await set_editor(page, "result", "")
    await page.click(".graphiql-execute-button")
    await page.wait_for_function(
        "s => document.querySelector(s).CodeMirror.getValue() !== ''", arg=EDITORS["result"]
    )
    return json.loads(await editor_text(page, "result"))


async def everything_the_browser_keeps(page: Any) -> str:
    """localStorage, sessionStorage, IndexedDB, Cache Storage and the cookies pages can read,
    as one text."""
    return await page.evaluate(
        """async () => {
          const all = (s) => Object.fromEntries(Object.keys(s).map((k) => [k, s.getItem(k)]));
          const databases = indexedDB.databases ? await indexedDB.databases() : [];
          const caches_ = window.caches ? await caches.keys() : [];
          return JSON.stringify({
            localStorage: all(localStorage),
            sessionStorage: all(sessionStorage),
            indexedDB: databases.map((d) => d.name),
            caches: caches_,
            cookie: document.cookie,
            url: location.href,
          });
        }"""
    )
