"""Input no page or client of ours sends (forms with too many or repeated fields, bytes that
are not UTF-8, JSON nested thousands deep) gets a 4xx that says why, and changes nothing."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.own_pages import FROM_OUR_PAGE
from tests.raw_http import RawRequest, send

FORM = {"content-type": "application/x-www-form-urlencoded", **FROM_OUR_PAGE}
JSON = {"content-type": "application/json"}
LINK_PAGES = ["/accept-invitation", "/verify-email"]
# What the link pages' forms refuse, with the token a browser would post in front.
BAD_FORMS = {
    "nine fields": b"&a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8",
    "a field twice": b"&token=again",
    "percent-encoded text that is not UTF-8": b"&password=%ff%fe",
    "an encoded UTF-8 surrogate": b"&password=%ed%a0%80",
    "raw bytes that are not UTF-8": b"&password=\xff",
    "a % that encodes nothing": b"&password=100%",
    "an encoded NUL": b"&password=a%00b",
}


@pytest.mark.parametrize("path", LINK_PAGES)
@pytest.mark.parametrize("flaw", sorted(BAD_FORMS))
async def test_a_malformed_form_gets_a_page_saying_why(http: AsyncClient, path, flaw):
    page = await http.post(path, content=b"token=x.y" + BAD_FORMS[flaw], headers=FORM)
    assert page.status_code in (400, 404)  # 404: the form was fine, the token is not
    assert page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", LINK_PAGES)
async def test_a_form_that_is_not_urlencoded_is_refused(http: AsyncClient, path):
    page = await http.post(
        path, content=b'{"token": "x.y"}', headers={**FROM_OUR_PAGE, "content-type": "text/plain"}
    )
    assert page.status_code == 415


@pytest.mark.parametrize("path", LINK_PAGES)
async def test_an_oversized_form_is_refused(http: AsyncClient, path):
    page = await http.post(path, content=b"token=" + b"x" * 9000, headers=FORM)
    assert page.status_code == 413


@pytest.mark.parametrize("path", LINK_PAGES)
@pytest.mark.parametrize("query", ["token=a&token=b", "token=%ff", "token=%zz", "token=a%00"])
async def test_a_link_with_a_malformed_query_string_gets_a_page_saying_why(
    http: AsyncClient, path, query
):
    page = await http.get(f"{path}?{query}")
    assert page.status_code == 400
    assert "query string" in page.text


DEEP = {
    "a body": b"[" * 5000,
    "an object in a body": b'{"a":' * 5000,
    "variables": b'{"query": "{ me { id } }", "variables": {"v": ' + b"[" * 3000 + b"]" * 3000
    + b"}}",
    "variables 65 levels deep": b'{"query": "{ me { id } }", "variables": {"v": '
    + b"[" * 64 + b"]" * 64 + b"}}",
}  # fmt: skip


@pytest.mark.parametrize("where", sorted(DEEP))
async def test_json_nested_too_deep_is_a_bad_request(http: AsyncClient, where):
    response = await http.post("/graphql", content=DEEP[where], headers=JSON)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "The request's JSON nests deeper than 64 levels."}]
    }


async def test_json_nested_64_levels_deep_is_read(http: AsyncClient):
    body = b'{"query": "{ me { id } }", "variables": {"v": ' + b"[" * 62 + b"]" * 62 + b"}}"
    response = await http.post("/graphql", content=body, headers=JSON)
    assert response.json() == {"data": {"me": None}}


@pytest.mark.parametrize("parameter", ["variables", "extensions"])
async def test_json_nested_too_deep_in_a_get_is_a_bad_request(http: AsyncClient, parameter):
    response = await http.get(
        "/graphql", params={"query": "{ me { id } }", parameter: '{"a":' * 3000}
    )
    assert response.status_code == 400
    assert "nests deeper than 64 levels" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "body",
    [b'{"query": "\xff"}', b'{"query": "{ me { id } }", "variables": {"n": ' + b"9" * 5000 + b"}}"],
    ids=["bytes that are not UTF-8", "a 5,000-digit number"],
)
async def test_a_body_json_cannot_read_is_a_bad_request(http: AsyncClient, body):
    response = await http.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "The request's JSON could not be parsed."}]}


@pytest.mark.parametrize(
    "query",
    ["query=%7Bme%7Bid%7D%7D&query=%7Bme%7Bid%7D%7D", "query=%ff", "query=%7Bme%7Bid%7D%7D%"],
    ids=["a parameter twice", "not UTF-8", "a % that encodes nothing"],
)
async def test_a_get_with_a_malformed_query_string_is_a_bad_request(http: AsyncClient, query):
    response = await http.get(f"/graphql?{query}")
    assert response.status_code == 400
    assert "query string" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "path", [b"/graphql", b"/graphql/", b"/accept-invitation/", b"/saml/acme/login", b"/nowhere"]
)
async def test_a_query_string_that_is_not_ascii_is_refused_at_the_door(app, path):
    """Raw 0xFF in a query string, as some servers pass it on: 400 on every path (the slash
    redirect of /graphql/ used to build a URL from it and fail)."""
    answer = await send(app, RawRequest("GET", path, query=b"token=\xff"))
    assert answer.status == 400
    assert answer.body == b"The request target must be ASCII (percent-encode everything else).\n"


@pytest.mark.parametrize("persisted", [False, True], ids=["plain", "with a persisted-query hash"])
async def test_a_document_holding_a_lone_surrogate_is_a_bad_request(http: AsyncClient, persisted):
    # JSON's "\ud800" escape decodes to a lone surrogate: no Unicode text holds one.
    body = b'{"query": "{ me { id } }\\ud800"'
    if persisted:
        body += b', "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "' + b"b" * 64
        body += b'"}}'
    response = await http.post("/graphql", content=body + b"}", headers=JSON)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "`query` holds a lone surrogate: it is not Unicode text."}]
    }


@pytest.mark.parametrize(
    "document",
    [
        "query Q($x: Boolean = true) { __typename @include(if: $x) }",
        "mutation M($x: Boolean = true) { logout @skip(if: $x) { ok } }",
    ],
)
async def test_a_directive_given_null_through_a_variable_is_a_request_error(
    http: AsyncClient, document: str
):
    answer = await http.post("/graphql", json={"query": document, "variables": {"x": None}})

    assert answer.status_code == 200, answer.text
    assert "not to be None" in answer.json()["errors"][0]["message"], answer.text
