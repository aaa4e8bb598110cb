"""GraphQL over HTTP, to the letter: media types, status codes, one operation per request,
and the CSRF rules (mutations only as POST with a JSON body)."""

from __future__ import annotations

import json

import pytest
from httpx import AsyncClient

NEW = "application/graphql-response+json"
LEGACY = "application/json"
LOGOUT = "mutation { logout { __typename } }"


async def post(http: AsyncClient, body: object, accept: str | None = NEW, **headers: str):
    if accept is not None:
        headers["accept"] = accept
    return await http.post("/graphql", json=body, headers=headers)


async def test_the_new_media_type_is_used_when_the_client_accepts_it(http: AsyncClient) -> None:
    response = await post(http, {"query": "{ me { id } }"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(NEW)
    assert response.json() == {"data": {"me": None}}


@pytest.mark.parametrize("accept", [None, LEGACY, "*/*", "application/*"])
async def test_older_clients_get_application_json(http: AsyncClient, accept: str | None) -> None:
    response = await post(http, {"query": "{ me { id } }"}, accept=accept)
    assert response.headers["content-type"].startswith(LEGACY)


async def test_the_accept_header_qualities_decide(http: AsyncClient) -> None:
    response = await post(http, {"query": "{ me { id } }"}, accept=f"{NEW};q=0.5, {LEGACY}")
    assert response.headers["content-type"].startswith(LEGACY)


async def test_an_accept_header_with_no_type_we_offer_is_not_acceptable(http: AsyncClient) -> None:
    response = await post(http, {"query": "{ me { id } }"}, accept="application/xml")
    assert response.status_code == 406


@pytest.mark.parametrize(
    "document",
    ["{ me { id }", "{ noSuchField }", "query($n: Int!) { users(first: $n) { totalCount } }"],
    ids=["parse", "validation", "variable coercion"],
)
async def test_request_errors_answer_400_without_data_under_the_new_media_type(
    http: AsyncClient, document: str
) -> None:
    response = await post(http, {"query": document, "variables": {"n": "many"}})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(NEW)
    body = response.json()
    assert "data" not in body
    assert body["errors"]


@pytest.mark.parametrize("document", ["{ me { id }", "{ noSuchField }"])
async def test_request_errors_answer_200_under_application_json(
    http: AsyncClient, document: str
) -> None:
    response = await post(http, {"query": document}, accept=LEGACY)
    assert response.status_code == 200
    assert "data" not in response.json()
    assert response.json()["errors"]


async def test_a_field_error_keeps_200_and_data_under_the_new_media_type(
    http: AsyncClient, cast
) -> None:
    response = await post(
        http, {"query": "{ users(first: 1) { totalCount } }"},
        authorization=f"Bearer {cast.guest_a.token}",
    )  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert "data" in body
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_body_that_is_not_json_is_a_bad_request(http: AsyncClient) -> None:
    response = await http.post(
        "/graphql", content=b"{not json", headers={"content-type": LEGACY, "accept": NEW}
    )
    assert response.status_code == 400


async def test_a_request_without_a_query_is_a_bad_request(http: AsyncClient) -> None:
    response = await post(http, {"variables": {}})
    assert response.status_code == 400


async def test_a_batch_is_refused_with_a_clear_error(http: AsyncClient) -> None:
    response = await post(http, [{"query": "{ me { id } }"}, {"query": "{ me { id } }"}])
    assert response.status_code == 400
    assert "Batched operations are not supported" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", json.dumps({"query": LOGOUT})),
        ("application/x-www-form-urlencoded", "query=" + LOGOUT),
        ("multipart/form-data; boundary=x",
         '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n' + LOGOUT + "\r\n--x--\r\n"),
        ("application/graphql", LOGOUT),
    ],
    ids=["text/plain", "form", "multipart", "application/graphql"],
)  # fmt: skip
async def test_a_mutation_in_a_non_json_body_is_refused(
    http: AsyncClient, cast, content_type: str, body: str
) -> None:
    response = await http.post(
        "/graphql",
        content=body.encode(),
        headers={"content-type": content_type, "cookie": f"tenantry_session={cast.admin_a.token}"},
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["errors"][0]["message"]


async def test_a_json_content_type_with_a_charset_is_accepted(http: AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        content=json.dumps({"query": "{ me { id } }"}).encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200


async def test_a_mutation_over_get_answers_405(http: AsyncClient, cast) -> None:
    response = await http.get(
        "/graphql", params={"query": LOGOUT},
        headers={"accept": NEW, "authorization": f"Bearer {cast.admin_a.token}"},
    )  # fmt: skip
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    still_signed_in = await post(
        http, {"query": "{ me { username } }"}, authorization=f"Bearer {cast.admin_a.token}"
    )
    assert still_signed_in.json() == {"data": {"me": {"username": "alice"}}}


async def test_a_query_over_get_runs(http: AsyncClient) -> None:
    response = await http.get(
        "/graphql", params={"query": "{ me { id } }"}, headers={"accept": NEW}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}


async def test_a_browser_get_without_a_query_renders_graphiql(http: AsyncClient) -> None:
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


async def test_other_methods_are_not_allowed(http: AsyncClient) -> None:
    response = await http.put("/graphql", json={"query": "{ me { id } }"})
    assert response.status_code == 405
