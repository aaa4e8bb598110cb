"""With trusted documents on, superusers signed in at GraphiQL (session cookie, the server's own
page) still run documents of their own; applications and everyone else run the manifest only
(TENANTRY_TRUSTED_DOCUMENTS_ADHOC)."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import pytest
from httpx import AsyncClient

from tests.factories import Cast, Factory
from tests.other_settings import ClientFactory

OWN_PAGE = {"origin": "http://tenantry.test", "sec-fetch-site": "same-origin"}
INTROSPECTION = "query IntrospectionQuery { __schema { queryType { name } } }"


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    trusted = "query Trusted { me { username } }"
    path = tmp_path / "trusted.json"
    path.write_text(json.dumps({hashlib.sha256(trusted.encode()).hexdigest(): trusted}))
    return path


def adhoc_query() -> str:
    return f"{{ me {{ email }} }} # {uuid.uuid4()}"


async def post(
    client: AsyncClient, query: str, cookie: str | None = None, **headers: str
) -> dict[str, object]:
    if cookie:
        headers["cookie"] = f"tenantry_session={cookie}"
    response = await client.post("/graphql", json={"query": query}, headers=headers)
    return response.json()


def refused(answer: dict[str, object]) -> bool:
    return answer["errors"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"  # type: ignore[index]


async def test_a_superuser_at_graphiql_runs_a_document_of_their_own(
    client_with: ClientFactory, manifest: Path, cast: Cast
) -> None:
    async with client_with(trusted_documents=manifest) as client:
        answer = await post(client, adhoc_query(), cast.superuser.token, **OWN_PAGE)
    assert answer == {"data": {"me": {"email": cast.superuser.user.email}}}


async def test_a_superuser_at_graphiql_gets_the_schema(
    client_with: ClientFactory, manifest: Path, cast: Cast
) -> None:
    async with client_with(trusted_documents=manifest) as client:
        answer = await post(client, INTROSPECTION, cast.superuser.token, **OWN_PAGE)
    assert answer == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_a_superuser_cookie_without_browser_headers_still_counts(
    client_with: ClientFactory, manifest: Path, cast: Cast
) -> None:
    async with client_with(trusted_documents=manifest) as client:
        answer = await post(client, adhoc_query(), cast.superuser.token)
    assert "data" in answer


async def test_an_admin_who_is_no_superuser_runs_the_manifest_only(
    client_with: ClientFactory, manifest: Path, cast: Cast
) -> None:
    async with client_with(trusted_documents=manifest) as client:
        assert refused(await post(client, adhoc_query(), cast.admin_a.token, **OWN_PAGE))


async def test_nobody_signed_in_runs_the_manifest_only(
    client_with: ClientFactory, manifest: Path
) -> None:
    async with client_with(trusted_documents=manifest) as client:
        assert refused(await post(client, INTROSPECTION, **OWN_PAGE))


async def test_a_superuser_bearer_session_runs_the_manifest_only(
    client_with: ClientFactory, manifest: Path, cast: Cast
) -> None:
    bearer = {"authorization": f"Bearer {cast.superuser.token}"}
    async with client_with(trusted_documents=manifest) as client:
        assert refused(await post(client, adhoc_query(), **bearer))
        # A cookie beside the header changes nothing: the header is who calls.
        assert refused(await post(client, adhoc_query(), cast.superuser.token, **bearer))


async def test_a_superuser_api_token_runs_the_manifest_only(
    client_with: ClientFactory, manifest: Path, cast: Cast, make: Factory
) -> None:
    _, secret = await make.api_token(cast.superuser.user)
    async with client_with(trusted_documents=manifest) as client:
        assert refused(await post(client, adhoc_query(), authorization=f"Bearer {secret}"))


async def test_a_superuser_cookie_sent_by_another_origins_page_runs_the_manifest_only(
    client_with: ClientFactory, manifest: Path, cast: Cast
) -> None:
    app = "https://app.example.com"
    async with client_with(trusted_documents=manifest, cors_origins=[app]) as client:
        for headers in (
            {"origin": app, "sec-fetch-site": "cross-site"},
            {"origin": "http://tenantry.test:5173", "sec-fetch-site": "same-site"},
            {"origin": app},
        ):
            assert refused(await post(client, adhoc_query(), cast.superuser.token, **headers))


async def test_adhoc_none_holds_superusers_to_the_manifest_too(
    client_with: ClientFactory, manifest: Path, cast: Cast
) -> None:
    async with client_with(trusted_documents=manifest, trusted_documents_adhoc="none") as client:
        assert refused(await post(client, adhoc_query(), cast.superuser.token, **OWN_PAGE))


async def test_a_superusers_document_is_not_trusted_for_anyone_else(
    client_with: ClientFactory, manifest: Path, cast: Cast
) -> None:
    query = adhoc_query()
    digest = hashlib.sha256(query.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    async with client_with(trusted_documents=manifest) as client:
        await client.post(
            "/graphql",
            json={"query": query, "extensions": persisted},
            headers={"cookie": f"tenantry_session={cast.superuser.token}", **OWN_PAGE},
        )
        again = await client.post(
            "/graphql",
            json={"extensions": persisted},
            headers={"authorization": f"Bearer {cast.admin_a.token}"},
        )
        assert again.json()["errors"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"
        assert refused(await post(client, query, cast.admin_a.token))


async def test_a_superusers_apollo_client_is_asked_for_the_text_and_runs_it(
    client_with: ClientFactory, manifest: Path, cast: Cast
) -> None:
    query = adhoc_query()
    persisted = {
        "persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}
    }
    cookie = {"cookie": f"tenantry_session={cast.superuser.token}", **OWN_PAGE}
    async with client_with(trusted_documents=manifest) as client:
        miss = await client.post("/graphql", json={"extensions": persisted}, headers=cookie)
        retry = await client.post(
            "/graphql", json={"query": query, "extensions": persisted}, headers=cookie
        )
    assert miss.status_code == 200
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert retry.json() == {"data": {"me": {"email": cast.superuser.user.email}}}
