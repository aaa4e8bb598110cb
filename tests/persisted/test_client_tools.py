"""Manifests as GraphQL Code Generator and Apollo write them run as Tenantry's trusted
documents, and their clients, sending ids only, get their answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.factories import Cast
from tests.persisted.conftest import ROOT, Tenantry, node


def answered(outcome: dict[str, Any], cast: Cast) -> bool:
    results = outcome["results"]
    me = results["Me"]["data"]["me"]
    names = [edge["node"]["username"] for edge in results["UserNames"]["data"]["users"]["edges"]]
    return (
        me["username"] == cast.admin_a.user.username
        and me["email"] == cast.admin_a.user.email
        and 1 <= len(names) <= 2
    )


def bodies(outcome: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(request["body"]) for request in outcome["sent"]]


async def test_apollo_client_sends_only_the_ids_of_apollos_manifest_and_is_answered(
    project: Path, tenantry: Tenantry, cast: Cast
) -> None:
    async with tenantry(project / "persisted-query-manifest.json") as url:
        outcome = await node(project, "apollo-manifest", url, cast.admin_a.token)
    assert answered(outcome, cast)
    sent = bodies(outcome)
    assert len(sent) == 2
    assert all("query" not in body and body["extensions"]["persistedQuery"] for body in sent)


async def test_apollo_client_sends_only_codegens_ids_and_is_answered(
    project: Path, tenantry: Tenantry, cast: Cast
) -> None:
    async with tenantry(project / "src/gql/persisted-documents.json") as url:
        outcome = await node(project, "codegen-apollo", url, cast.admin_a.token)
    assert answered(outcome, cast)
    hashes = [body["extensions"]["persistedQuery"]["sha256Hash"] for body in bodies(outcome)]
    assert len(hashes) == 2 and all(digest.startswith("sha256:") for digest in hashes)
    assert all("query" not in body for body in bodies(outcome))


async def test_a_document_id_post_of_a_codegen_document_is_answered(
    project: Path, tenantry: Tenantry, cast: Cast
) -> None:
    async with tenantry(project / "src/gql/persisted-documents.json") as url:
        outcome = await node(project, "codegen-post", url, cast.admin_a.token)
    assert answered(outcome, cast)
    assert all(set(body) <= {"documentId", "variables"} for body in bodies(outcome))


async def test_a_document_id_get_of_a_codegen_document_is_answered(
    project: Path, tenantry: Tenantry, cast: Cast
) -> None:
    async with tenantry(project / "src/gql/persisted-documents.json") as url:
        outcome = await node(project, "codegen-get", url, cast.admin_a.token)
    assert answered(outcome, cast)
    assert all(
        request["method"] == "GET" and "documentId=sha256%3A" in request["url"]
        for request in outcome["sent"]
    )


async def test_codegens_older_sha1_ids_run_by_apollo_client_and_by_document_id(
    project: Path, tenantry: Tenantry, cast: Cast
) -> None:
    async with tenantry(project / "src/gql-sha1/persisted-documents.json") as url:
        by_apollo = await node(project, "codegen-apollo", url, cast.admin_a.token, "gql-sha1")
        by_id = await node(project, "codegen-post", url, cast.admin_a.token, "gql-sha1")
    assert answered(by_apollo, cast) and answered(by_id, cast)
    assert all(len(body["documentId"]) == 40 for body in bodies(by_id))


def test_a_codegen_manifest_of_other_hashes_stops_the_server_saying_how_to_regenerate(
    project: Path, tmp_path: Path
) -> None:
    manifest = project / "src/gql-md5/persisted-documents.json"
    result = subprocess.run(
        [sys.executable, "-m", "web.cli", "serve", "--no-migrate", "--port", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TENANTRY_TRUSTED_DOCUMENTS": str(manifest)},
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "is not the SHA-256" in result.stderr
    assert "hashAlgorithm: 'sha256'" in result.stderr
