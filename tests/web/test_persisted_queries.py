"""Automatic persisted queries as Apollo Client sends them, and trusted documents."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import pytest
from httpx import AsyncClient

from tests.other_settings import ClientFactory
from web.persisted_queries import RedisStore

ME = "query Me { me { username } }"
ME_HASH = hashlib.sha256(ME.encode()).hexdigest()


@pytest.fixture(autouse=True)
def fresh_documents() -> None:
    """Each test its own document: servers keep known documents in memory (they never change
    under their hash), so a document registered by an earlier test would still be found."""
    global ME, ME_HASH
    ME = f"query Me {{ me {{ username }} }} # {uuid.uuid4()}"
    ME_HASH = hashlib.sha256(ME.encode()).hexdigest()


APOLLO_ACCEPT = "application/graphql-response+json,application/json;q=0.9"


def persisted(digest: str | None = None) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest or ME_HASH}}


async def post(http: AsyncClient, body: dict[str, object], **headers: str):
    return await http.post("/graphql", json=body, headers={"accept": APOLLO_ACCEPT, **headers})


async def test_an_unknown_hash_answers_200_with_persisted_query_not_found(
    http: AsyncClient,
) -> None:
    response = await post(http, {"operationName": "Me", "extensions": persisted()})
    assert response.status_code == 200
    not_found = {"message": "PersistedQueryNotFound",
                 "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}  # fmt: skip
    assert response.json() == {"errors": [not_found]}


async def test_apollo_exchange_miss_register_then_hit_over_post(http: AsyncClient, cast) -> None:
    auth = {"authorization": f"Bearer {cast.admin_a.token}"}
    miss = await post(http, {"operationName": "Me", "extensions": persisted()}, **auth)
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    register = await post(
        http, {"operationName": "Me", "query": ME, "extensions": persisted()}, **auth
    )
    assert register.status_code == 200
    assert register.json() == {"data": {"me": {"username": "alice"}}}

    hit = await post(http, {"operationName": "Me", "extensions": persisted()}, **auth)
    assert hit.status_code == 200
    assert hit.json() == {"data": {"me": {"username": "alice"}}}


async def test_apollo_exchange_over_get_runs_the_hash_instead_of_rendering_graphiql(
    http: AsyncClient, cast
) -> None:
    params = {"operationName": "Me", "extensions": json.dumps(persisted())}
    headers = {"accept": "*/*", "authorization": f"Bearer {cast.admin_a.token}"}
    miss = await http.get("/graphql", params=params, headers=headers)
    assert miss.status_code == 200
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"

    register = await http.get("/graphql", params={**params, "query": ME}, headers=headers)
    assert register.json() == {"data": {"me": {"username": "alice"}}}

    hit = await http.get("/graphql", params=params, headers=headers)
    assert hit.headers["content-type"].startswith("application/json")
    assert hit.json() == {"data": {"me": {"username": "alice"}}}


async def test_a_registration_whose_hash_does_not_match_its_query_is_refused(
    http: AsyncClient,
) -> None:
    planted = "{ me { email } }"
    refused = await post(http, {"query": planted, "extensions": persisted()})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    still_unknown = await post(http, {"extensions": persisted()})
    assert still_unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_document_that_does_not_validate_is_not_stored(http: AsyncClient) -> None:
    broken = "{ noSuchField }"
    digest = hashlib.sha256(broken.encode()).hexdigest()
    await post(http, {"query": broken, "extensions": persisted(digest)})
    again = await post(http, {"extensions": persisted(digest)})
    assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_an_unsupported_persisted_query_version_is_refused(http: AsyncClient) -> None:
    response = await post(
        http, {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": ME_HASH}}}
    )
    assert response.status_code == 400
    assert "version" in response.json()["errors"][0]["message"]


async def test_the_database_store_keeps_only_its_capacity(
    client_with: ClientFactory,
) -> None:
    documents = [f"query Q{i} {{ me {{ username }} }} # {uuid.uuid4()}" for i in range(4)]
    async with client_with(persisted_query_capacity=2) as client:
        for document in documents:
            digest = hashlib.sha256(document.encode()).hexdigest()
            await post(client, {"query": document, "extensions": persisted(digest)})
    from models import PersistedQuery

    assert await PersistedQuery.all().count() == 2


async def test_a_document_registered_in_one_process_is_found_by_another(
    client_with: ClientFactory,
) -> None:
    async with client_with() as first:
        await post(first, {"query": ME, "extensions": persisted()})
    async with client_with() as second:
        hit = await post(second, {"extensions": persisted()})
    assert hit.json() == {"data": {"me": None}}


@pytest.fixture
async def redis_store() -> RedisStore:
    store = RedisStore("redis://127.0.0.1:6379/15", capacity=2)
    try:
        await store.clear()
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    yield store
    await store.clear()


async def test_the_redis_store_is_shared_between_processes(
    client_with: ClientFactory, redis_store: RedisStore
) -> None:
    url = "redis://127.0.0.1:6379/15"
    async with client_with(redis_url=url) as first:
        await post(first, {"query": ME, "extensions": persisted()})
    async with client_with(redis_url=url) as second:
        hit = await post(second, {"extensions": persisted()})
    assert hit.json() == {"data": {"me": None}}
    assert await redis_store.get(ME_HASH) == ME


async def test_the_redis_store_keeps_only_its_capacity(redis_store: RedisStore) -> None:
    for i in range(4):
        document = f"query Q{i} {{ me {{ id }} }}"
        await redis_store.put(hashlib.sha256(document.encode()).hexdigest(), document)
    assert await redis_store.redis.zcard(redis_store.index) == 2
    assert await redis_store.get(hashlib.sha256(b"query Q0 { me { id } }").hexdigest()) is None
    assert await redis_store.get(hashlib.sha256(b"query Q3 { me { id } }").hexdigest())


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "trusted.json"
    path.write_text(json.dumps({ME_HASH: ME}))
    return path


async def test_trusted_documents_run_by_hash(client_with: ClientFactory, manifest: Path) -> None:
    async with client_with(trusted_documents=manifest) as client:
        response = await post(client, {"extensions": persisted()})
    assert response.json() == {"data": {"me": None}}


async def test_trusted_documents_mode_refuses_an_arbitrary_query(
    client_with: ClientFactory, manifest: Path
) -> None:
    async with client_with(trusted_documents=manifest) as client:
        response = await post(client, {"query": "{ me { email } }"})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"
    assert "trusted documents only" in error["message"]
    assert "data" not in response.json()


async def test_trusted_documents_mode_registers_nothing(
    client_with: ClientFactory, manifest: Path
) -> None:
    other = "{ me { email } }"
    digest = hashlib.sha256(other.encode()).hexdigest()
    async with client_with(trusted_documents=manifest) as client:
        await post(client, {"query": other, "extensions": persisted(digest)})
        again = await post(client, {"extensions": persisted(digest)})
    assert again.json()["errors"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"
    from models import PersistedQuery

    assert not await PersistedQuery.exists(sha256=digest)


async def test_trusted_documents_accept_the_full_text_of_a_trusted_document(
    client_with: ClientFactory, manifest: Path
) -> None:
    async with client_with(trusted_documents=manifest) as client:
        response = await post(client, {"query": ME})
    assert response.json() == {"data": {"me": None}}


async def test_trusted_documents_read_apollos_manifest_format(
    client_with: ClientFactory, tmp_path: Path
) -> None:
    path = tmp_path / "persisted-query-manifest.json"
    path.write_text(json.dumps({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": ME_HASH, "name": "Me", "type": "query", "body": ME}],
    }))  # fmt: skip
    async with client_with(trusted_documents=path) as client:
        hit = await post(client, {"extensions": persisted()})
        refused = await post(client, {"query": "{ me { id } }"})
    assert hit.json() == {"data": {"me": None}}
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"


async def test_a_persisted_mutation_over_get_answers_405(http: AsyncClient, cast) -> None:
    mutation = f"mutation Out {{ logout {{ __typename }} }} # {uuid.uuid4()}"
    digest = hashlib.sha256(mutation.encode()).hexdigest()
    auth = {"authorization": f"Bearer {cast.admin_a.token}"}
    await post(http, {"query": mutation, "extensions": persisted(digest)}, **auth)
    response = await http.get(
        "/graphql",
        params={"extensions": json.dumps(persisted(digest))},
        headers={"accept": APOLLO_ACCEPT, **auth},
    )
    assert response.status_code == 405
