"""Trusted documents: manifests as each tool writes them, ids checked against their documents
at start, and QUERY_NOT_IN_SAFELIST for any document outside the manifest, however it comes."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient, Response

from tests.other_settings import ClientFactory
from web.trusted_manifest import ManifestRefused, load_manifest

GRAPHQL_RESPONSE = "application/graphql-response+json"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def fresh_document() -> str:
    # Each test its own text: servers keep known documents in memory.
    return f"query Me {{ me {{ username }} }} # {uuid.uuid4()}"


def write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / f"manifest-{uuid.uuid4()}.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def apq(digest: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def send(client: AsyncClient, body: dict[str, Any], *, get: bool = False) -> Response:
    headers = {"accept": GRAPHQL_RESPONSE}
    if get:
        params = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in body.items()}
        return await client.get("/graphql", params=params, headers=headers)
    return await client.post("/graphql", json=body, headers=headers)


def code(response: Response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


OUTSIDE = "{ me { email } }"
WRONG = sha256("something else entirely")

# A document outside the manifest, in every way a client can send one.
OUTSIDE_REQUESTS = {
    "its text": ({"query": OUTSIDE}, False),
    "its text and its hash": ({"query": OUTSIDE, "extensions": apq(sha256(OUTSIDE))}, False),
    "its text and another hash": ({"query": OUTSIDE, "extensions": apq(WRONG)}, False),
    "its hash alone": ({"extensions": apq(sha256(OUTSIDE))}, False),
    "its prefixed hash alone": ({"extensions": apq(f"sha256:{sha256(OUTSIDE)}")}, False),
    "a SHA-1 alone": ({"extensions": apq(sha1(OUTSIDE))}, False),
    "its hash over GET": ({"extensions": apq(sha256(OUTSIDE))}, True),
    "its documentId": ({"documentId": f"sha256:{sha256(OUTSIDE)}"}, False),
    "its bare documentId": ({"documentId": sha256(OUTSIDE)}, False),
    "a custom documentId": ({"documentId": "my-operation"}, False),
    "its documentId over GET": ({"documentId": f"sha256:{sha256(OUTSIDE)}"}, True),
}


@pytest.mark.parametrize("request_", OUTSIDE_REQUESTS.values(), ids=OUTSIDE_REQUESTS.keys())
async def test_a_document_outside_the_manifest_is_not_in_the_safelist_however_it_comes(
    client_with: ClientFactory, tmp_path: Path, request_: tuple[dict[str, Any], bool]
) -> None:
    trusted = fresh_document()
    body, get = request_
    async with client_with(trusted_documents=write(tmp_path, {sha256(trusted): trusted})) as client:
        response = await send(client, body, get=get)
    assert response.status_code == 400
    assert code(response) == "QUERY_NOT_IN_SAFELIST"
    assert "data" not in response.json()


async def test_a_trusted_document_sent_under_another_hash_is_a_mismatch(
    client_with: ClientFactory, tmp_path: Path
) -> None:
    trusted = fresh_document()
    async with client_with(trusted_documents=write(tmp_path, {sha256(trusted): trusted})) as client:
        response = await send(client, {"query": trusted, "extensions": apq(WRONG)})
    assert code(response) == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_codegens_prefixed_sha256_ids_run_by_hash_and_by_document_id(
    client_with: ClientFactory, tmp_path: Path
) -> None:
    document = fresh_document()
    manifest = write(tmp_path, {f"sha256:{sha256(document)}": document})
    async with client_with(trusted_documents=manifest) as client:
        answers = [
            await send(client, body)
            for body in (
                {"extensions": apq(f"sha256:{sha256(document)}")},  # Apollo with codegen's hash
                {"extensions": apq(sha256(document))},
                {"documentId": f"sha256:{sha256(document)}"},
                {"documentId": sha256(document)},
                {"query": document},
            )
        ]
    assert [answer.json() for answer in answers] == [{"data": {"me": None}}] * 5


async def test_sha1_ids_that_are_their_documents_sha1_run_by_that_id_and_by_sha256(
    client_with: ClientFactory, tmp_path: Path
) -> None:
    document = fresh_document()
    async with client_with(trusted_documents=write(tmp_path, {sha1(document): document})) as client:
        answers = [
            await send(client, body)
            for body in (
                {"extensions": apq(sha1(document))},
                {"documentId": sha1(document)},
                {"documentId": f"sha256:{sha256(document)}"},
            )
        ]
    assert [answer.json() for answer in answers] == [{"data": {"me": None}}] * 3


async def test_apollos_manifest_runs_by_its_ids(client_with: ClientFactory, tmp_path: Path) -> None:
    document = fresh_document()
    manifest = write(tmp_path, {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": sha256(document), "name": "Me", "type": "query", "body": document}],
    })  # fmt: skip
    async with client_with(trusted_documents=manifest) as client:
        by_hash = await send(client, {"extensions": apq(sha256(document))})
        by_id = await send(client, {"documentId": f"sha256:{sha256(document)}"})
    assert by_hash.json() == by_id.json() == {"data": {"me": None}}


DOCUMENT = "query Me { me { username } }"
UNVERIFIABLE_IDS = {
    "an MD5 (Relay's)": hashlib.md5(DOCUMENT.encode()).hexdigest(),
    "a SHA-512": hashlib.sha512(DOCUMENT.encode()).hexdigest(),
    "another document's SHA-256": sha256("query Other { me { email } }"),
    "another document's SHA-1": sha1("query Other { me { email } }"),
    "a SHA-256 in capitals": sha256(DOCUMENT).upper(),
    "a SHA-1 under the sha256 prefix": f"sha256:{sha1(DOCUMENT)}",
    "an operation name": "Me",
}


@pytest.mark.parametrize("given_id", UNVERIFIABLE_IDS.values(), ids=UNVERIFIABLE_IDS.keys())
def test_ids_that_are_not_their_documents_hashes_are_refused_with_how_to_regenerate(
    tmp_path: Path, given_id: str
) -> None:
    with pytest.raises(ManifestRefused) as refused:
        load_manifest(write(tmp_path, {given_id: DOCUMENT}))
    message = str(refused.value)
    assert "is not the SHA-256" in message and "hashAlgorithm: 'sha256'" in message
    assert "\n" not in message


def test_an_apollo_manifest_whose_ids_do_not_verify_is_refused(tmp_path: Path) -> None:
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": sha256("other"), "name": "Me", "type": "query", "body": DOCUMENT}],
    }
    with pytest.raises(ManifestRefused, match="is not the SHA-256"):
        load_manifest(write(tmp_path, manifest))


NOT_MANIFESTS = {
    "not JSON": "{ nope",
    "a list": [DOCUMENT],
    "a document that is no text": {sha256(DOCUMENT): 3},
    "no documents": {},
    "Apollo's format without operations": {"format": "apollo-persisted-query-manifest"},
    "Apollo's format of another version": {
        "format": "apollo-persisted-query-manifest", "version": 2, "operations": [],
    },
    "an Apollo operation without a body": {
        "format": "apollo-persisted-query-manifest", "version": 1,
        "operations": [{"id": sha256(DOCUMENT), "name": "Me"}],
    },
    "a lone surrogate": '{"' + sha256(DOCUMENT) + '": "query Me { me { username } } # \\ud800"}',
}  # fmt: skip


@pytest.mark.parametrize("content", NOT_MANIFESTS.values(), ids=NOT_MANIFESTS.keys())
def test_a_file_that_is_no_usable_manifest_is_refused_with_one_line(
    tmp_path: Path, content: object
) -> None:
    with pytest.raises(ManifestRefused, match="^Trusted documents: ") as refused:
        load_manifest(write(tmp_path, content))
    assert "\n" not in str(refused.value)


def test_a_missing_manifest_is_refused_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(ManifestRefused, match="cannot be read"):
        load_manifest(tmp_path / "nowhere.json")


async def test_the_app_does_not_start_with_a_manifest_it_refuses(
    client_with: ClientFactory, tmp_path: Path
) -> None:
    manifest = write(tmp_path, {hashlib.md5(DOCUMENT.encode()).hexdigest(): DOCUMENT})
    with pytest.raises(ManifestRefused):
        async with client_with(trusted_documents=manifest):
            pass
