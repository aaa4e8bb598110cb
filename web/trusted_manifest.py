"""Trusted-documents manifests as the tools write them, read and checked once, at start.

Formats: `{id: document}` (GraphQL Code Generator's client preset writes
`persisted-documents.json` so; hand-made manifests too) and Apollo's
`persisted-query-manifest.json`. Every id must be its document's hash, so that a manifest no
client could be checked against stops the server with a one-line reason instead of refusing
every request later (`tenantry serve` prints it: web/cli.py).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


class ManifestRefused(Exception):  # noqa: N818 - a refusal at start, not a failure
    """The trusted-documents manifest cannot be used; the message says why and how to fix it."""


# Ids a manifest may give its documents: the document's SHA-256 (the GraphQL-over-HTTP
# persisted-documents appendix, Apollo) or its SHA-1 (GraphQL Code Generator's client preset
# before it moved to SHA-256). Either is checked against the document, so a manifest whose
# ids no client could compute is refused instead of refusing every request.
_ID_ALGORITHMS = {64: hashlib.sha256, 40: hashlib.sha1}
_REGENERATE = (
    "regenerate it with SHA-256 ids: GraphQL Code Generator's client preset with "
    "persistedDocuments: { hashAlgorithm: 'sha256' }, or Apollo's "
    "generate-persisted-query-manifest (docs/frontend.md, Persisted documents)"
)


def load_manifest(path: Path) -> dict[str, str]:
    """Id → document, from `{id: document}` (GraphQL Code Generator's persisted-documents.json)
    or Apollo's persisted-query-manifest.json. Every document is also found by its SHA-256,
    whatever id the manifest gives it. Raises ManifestRefused with a one-line reason."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestRefused(
            f"Trusted documents: {path} cannot be read ({exc.strerror})."
        ) from None
    except ValueError:
        raise ManifestRefused(f"Trusted documents: {path} is not a JSON file.") from None
    documents: dict[str, str] = {}
    for given_id, document in _entries(path, raw):
        digest = given_id.removeprefix("sha256:")
        prefixed_not_sha256 = given_id.startswith("sha256:") and len(digest) != 64
        if prefixed_not_sha256 or not is_digest_of(document, digest):
            shown = given_id if len(given_id) <= 80 else given_id[:77] + "..."
            raise ManifestRefused(
                f"Trusted documents: in {path}, the id {shown!r} is not the SHA-256 (nor the "
                f"SHA-1) of its document, so clients cannot be checked against it: "
                f"{_REGENERATE}."
            )
        documents[digest] = document
        documents.setdefault(sha256(document), document)
    if not documents:
        raise ManifestRefused(
            f"Trusted documents: {path} holds no documents, so no request could run."
        )
    return documents


def _entries(path: Path, raw: object) -> list[tuple[str, str]]:
    shape = ManifestRefused(
        f"Trusted documents: {path} is neither an object of id → document (GraphQL Code "
        f"Generator's persisted-documents.json) nor Apollo's persisted-query manifest."
    )
    if not isinstance(raw, dict):
        raise shape
    if raw.get("format") == "apollo-persisted-query-manifest":
        operations = raw.get("operations")
        if raw.get("version") != 1 or not isinstance(operations, list):
            raise shape
        entries = [
            (operation.get("id"), operation.get("body"))
            for operation in operations
            if isinstance(operation, dict)
        ]
        if len(entries) != len(operations):
            raise shape
    else:
        entries = list(raw.items())
    if not all(isinstance(key, str) and isinstance(doc, str) for key, doc in entries):
        raise shape
    return entries  # type: ignore[return-value]


def is_digest_of(document: str, digest: str) -> bool:
    algorithm = _ID_ALGORITHMS.get(len(digest))
    try:
        return algorithm is not None and algorithm(document.encode()).hexdigest() == digest
    except UnicodeEncodeError:  # a lone surrogate (JSON's "\ud800") is no text to hash
        return False
