"""CORS (TENANTRY_CORS_ORIGINS): listed origins, and only they, may call with credentials.
tests/browser/test_cors.py holds the same promises in chromium."""

from __future__ import annotations

from httpx import AsyncClient, Response

from tests.factories import Cast
from tests.other_settings import ClientFactory

APP = "https://app.example.com"
DEV = "http://localhost:5173"
ORIGINS = [APP, DEV]
ME = {"query": "{ me { username } }"}


async def preflight(
    client: AsyncClient, origin: str, method: str = "POST", headers: str = "content-type"
) -> Response:
    return await client.options(
        "/graphql",
        headers={
            "origin": origin,
            "access-control-request-method": method,
            "access-control-request-headers": headers,
        },
    )


async def test_a_listed_origin_is_answered_its_preflight_with_what_clients_send(
    client_with: ClientFactory,
) -> None:
    sent = "content-type,authorization,apollographql-client-name,apollographql-client-version"
    async with client_with(cors_origins=ORIGINS) as client:
        answer = await preflight(client, APP, headers=sent)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == APP
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert "POST" in answer.headers["access-control-allow-methods"]
    allowed = answer.headers["access-control-allow-headers"].lower()
    for header in sent.split(","):
        assert header in allowed
    assert int(answer.headers["access-control-max-age"]) > 0


async def test_a_persisted_query_get_with_apollo_headers_passes_its_preflight(
    client_with: ClientFactory,
) -> None:
    async with client_with(cors_origins=ORIGINS) as client:
        answer = await preflight(
            client, DEV, "GET", "apollographql-client-name,apollo-require-preflight"
        )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == DEV


async def test_a_preflight_gets_a_request_id_like_every_answer(client_with: ClientFactory) -> None:
    async with client_with(cors_origins=ORIGINS) as client:
        answer = await preflight(client, APP)
    assert answer.headers["x-request-id"]


async def test_a_listed_origins_call_is_answered_with_credentials_allowed(
    client_with: ClientFactory, cast: Cast
) -> None:
    headers = {"origin": APP, "authorization": f"Bearer {cast.admin_a.token}"}
    async with client_with(cors_origins=ORIGINS) as client:
        answer = await client.post("/graphql", json=ME, headers=headers)
    assert answer.json() == {"data": {"me": {"username": "alice"}}}
    assert answer.headers["access-control-allow-origin"] == APP
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()
    assert "origin" in answer.headers["vary"].lower()


async def test_an_unlisted_origin_gets_no_access_control_header(
    client_with: ClientFactory,
) -> None:
    unlisted = [
        "https://evil.example",
        "http://app.example.com",  # another scheme
        "https://app.example.com:8443",  # another port
        "https://app.example.com.evil.example",
        "https://sub.app.example.com",
        "null",
    ]
    async with client_with(cors_origins=ORIGINS) as client:
        for origin in unlisted:
            for answer in (
                await preflight(client, origin),
                await client.post("/graphql", json=ME, headers={"origin": origin}),
            ):
                cors = [h for h in answer.headers if h.lower().startswith("access-control-")]
                assert cors == [], (origin, cors)
                assert "origin" in answer.headers["vary"].lower()  # caches keep answers apart


async def test_a_refused_body_still_carries_the_cors_headers(client_with: ClientFactory) -> None:
    async with client_with(cors_origins=ORIGINS, max_body_bytes=1024) as client:
        answer = await client.post(
            "/graphql",
            content=b"{" + b" " * 2048 + b"}",
            headers={"origin": APP, "content-type": "application/json"},
        )
    assert answer.status_code == 413
    assert answer.headers["access-control-allow-origin"] == APP  # the page can read why


async def test_without_listed_origins_there_is_no_cors(http: AsyncClient) -> None:
    answer = await preflight(http, APP)
    assert answer.status_code == 405
    assert "access-control-allow-origin" not in answer.headers
