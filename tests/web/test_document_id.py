"""`documentId` (the GraphQL-over-HTTP persisted-documents appendix), without trusted documents:
it names a document registered by APQ, over POST or GET, as `sha256:<hex>` or bare hex."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest
from httpx import AsyncClient, Response

from tests.factories import Cast

GRAPHQL_RESPONSE = "application/graphql-response+json"


def users_query() -> str:
    # Each test its own text: servers keep known documents in memory.
    return (
        "query UserNames($first: Int) { users(first: $first) { edges { node { username } } } }"
        f" # {uuid.uuid4()}"
    )


async def register(http: AsyncClient, document: str, token: str) -> str:
    """Registers `document` as Apollo's APQ does; returns its SHA-256."""
    digest = hashlib.sha256(document.encode()).hexdigest()
    body = {
        "query": document,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
    }
    response = await http.post("/graphql", json=body, headers={"authorization": f"Bearer {token}"})
    assert "errors" not in response.json()
    return digest


async def post(http: AsyncClient, body: dict[str, Any], token: str | None = None) -> Response:
    headers = {"accept": GRAPHQL_RESPONSE}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await http.post("/graphql", json=body, headers=headers)


def usernames(response: Response) -> list[str]:
    return [edge["node"]["username"] for edge in response.json()["data"]["users"]["edges"]]


@pytest.mark.parametrize("form", ["sha256:{}", "{}"], ids=["prefixed", "bare hex"])
async def test_a_registered_document_runs_by_its_document_id_with_variables(
    http: AsyncClient, cast: Cast, form: str
) -> None:
    digest = await register(http, users_query(), cast.admin_a.token)
    body = {"documentId": form.format(digest), "variables": {"first": 1}}
    response = await post(http, body, cast.admin_a.token)
    assert response.status_code == 200
    assert len(usernames(response)) == 1


async def test_a_document_id_runs_over_get_instead_of_rendering_graphiql(
    http: AsyncClient, cast: Cast
) -> None:
    digest = await register(http, users_query(), cast.admin_a.token)
    params = {"documentId": f"sha256:{digest}", "variables": json.dumps({"first": 2})}
    headers = {"accept": "text/html,*/*;q=0.8", "authorization": f"Bearer {cast.admin_a.token}"}
    response = await http.get("/graphql", params=params, headers=headers)
    assert response.headers["content-type"].startswith("application/json")
    assert 1 <= len(usernames(response)) <= 2


async def test_an_unknown_document_id_answers_one_error_as_a_request_error(
    http: AsyncClient,
) -> None:
    response = await post(http, {"documentId": f"sha256:{'0' * 64}"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "No persisted document has this id.",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }


async def test_a_custom_document_id_finds_nothing_without_trusted_documents(
    http: AsyncClient,
) -> None:
    response = await post(http, {"documentId": "my-operation"})
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


MALFORMED = {
    "a SHA-1 prefix": f"sha1:{'a' * 40}",
    "an MD5 prefix": f"md5:{'a' * 32}",
    "an application prefix": "x-app:abc",
    "a short sha256": "sha256:abc",
    "a sha256 in capitals": f"sha256:{'A' * 64}",
    "empty": "",
    "a space": "my operation",
    "a letter beyond ASCII": "opération",
    "too long": "a" * 129,
}


@pytest.mark.parametrize("document_id", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_document_id_that_is_none_is_refused_without_echoing_it(
    http: AsyncClient, document_id: str
) -> None:
    response = await post(http, {"documentId": document_id})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert not document_id or document_id not in error["message"]


@pytest.mark.parametrize("document_id", [5, ["sha256:abc"], {"id": "x"}, True])
async def test_a_document_id_that_is_no_string_is_refused(
    http: AsyncClient, document_id: object
) -> None:
    response = await post(http, {"documentId": document_id})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "`documentId` must be a string."


@pytest.mark.parametrize(
    "beside",
    [{"query": "{ me { username } }"}, {"extensions": {"persistedQuery": {"version": 1}}}],
    ids=["a query", "an APQ hash"],
)
async def test_a_document_id_with_another_document_beside_it_is_refused(
    http: AsyncClient, cast: Cast, beside: dict[str, object]
) -> None:
    digest = await register(http, users_query(), cast.admin_a.token)
    response = await post(http, {"documentId": f"sha256:{digest}", **beside})
    assert response.status_code == 400
    assert "documentId` alone" in response.json()["errors"][0]["message"]


async def test_a_mutation_by_document_id_over_get_answers_405(
    http: AsyncClient, cast: Cast
) -> None:
    digest = await register(
        http, f"mutation Out {{ logout {{ __typename }} }} # {uuid.uuid4()}", cast.admin_a.token
    )
    response = await http.get(
        "/graphql",
        params={"documentId": f"sha256:{digest}"},
        headers={"accept": GRAPHQL_RESPONSE, "authorization": f"Bearer {cast.admin_a.token}"},
    )
    assert response.status_code == 405
