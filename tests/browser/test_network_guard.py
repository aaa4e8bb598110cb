"""The browser test bed itself: pages reach loopback servers only, and a test fails when a page
tried to reach another origin."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import browsing, free_socket, frontend_app, serving

ELSEWHERE = [
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js",
    "http://93.184.216.34/",
    "http://10.1.1.1:8080/",
]
TRY_ALL = """async (urls) => {
  const reached = [];
  for (const url of urls) {
    try { await fetch(url, { mode: "no-cors" }); reached.push(url); } catch (error) {}
  }
  return reached;
}"""


async def test_a_page_reaches_no_other_host_and_the_attempt_fails_the_test(browser: Any) -> None:
    sock = free_socket()
    async with serving(frontend_app(), sock) as url:
        with pytest.raises(AssertionError, match="tried to leave the server"):
            async with browsing(browser, url) as (context, _):
                page = await context.new_page()
                await page.goto(url)
                assert await page.evaluate(TRY_ALL, ELSEWHERE) == []
