"""Request bodies have a ceiling (`TENANTRY_MAX_BODY_BYTES`): larger ones get 413 and change
nothing, whether their length is declared or they arrive in chunks."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from models import Tenant
from tests.factories import Cast
from tests.other_settings import ClientFactory

LIMIT = 4096
CREATE_TENANT = 'mutation { createTenant(name: "padded") { __typename } }'


def body_of_size(size: int, query: str = CREATE_TENANT) -> bytes:
    """A GraphQL request padded (in an ignored extension) to exactly `size` bytes."""
    empty = json.dumps({"query": query, "extensions": {"padding": ""}})
    return json.dumps(
        {"query": query, "extensions": {"padding": "x" * (size - len(empty))}}
    ).encode()


async def chunks(body: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def headers_for(cast: Cast) -> dict[str, str]:
    return {"content-type": "application/json", "authorization": f"Bearer {cast.superuser.token}"}


async def test_a_declared_body_over_the_limit_is_refused_with_413(
    client_with: ClientFactory, cast: Cast
) -> None:
    async with client_with(max_body_bytes=LIMIT) as client:
        response = await client.post(
            "/graphql", content=body_of_size(LIMIT + 1), headers=headers_for(cast)
        )

    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"message": f"The request body is larger than {LIMIT} bytes."}]
    }
    assert await Tenant.filter(name="padded").count() == 0


async def test_a_chunked_body_over_the_limit_is_refused_with_413(
    client_with: ClientFactory, cast: Cast
) -> None:
    async with client_with(max_body_bytes=LIMIT) as client:
        response = await client.post(
            "/graphql", content=chunks(body_of_size(LIMIT * 3)), headers=headers_for(cast)
        )

    assert response.status_code == 413
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert await Tenant.filter(name="padded").count() == 0


async def test_a_body_at_the_limit_runs(client_with: ClientFactory, cast: Cast) -> None:
    async with client_with(max_body_bytes=LIMIT) as client:
        response = await client.post(
            "/graphql", content=chunks(body_of_size(LIMIT)), headers=headers_for(cast)
        )

    assert response.status_code == 200
    assert response.json() == {"data": {"createTenant": {"__typename": "TenantPayload"}}}


async def test_a_refused_body_still_gets_a_request_id(client_with: ClientFactory) -> None:
    async with client_with(max_body_bytes=LIMIT) as client:
        response = await client.post("/accept-invitation", content=b"x" * (LIMIT + 1))

    assert response.status_code == 413
    assert response.text == f"The request body is larger than {LIMIT} bytes."
    assert response.headers["x-request-id"]
