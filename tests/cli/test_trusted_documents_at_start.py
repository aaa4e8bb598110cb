"""`tenantry serve` with a trusted-documents manifest it cannot use stops before it starts
anything, with one line saying why and how to fix it (no traceback)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def serve(cwd: Path, manifest: Path) -> subprocess.CompletedProcess[str]:
    # This checkout's code, whichever checkout the virtualenv was installed from.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TENANTRY_TRUSTED_DOCUMENTS": str(manifest)}
    return subprocess.run(
        [sys.executable, "-m", "web.cli", "serve", "--port", "0"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_a_manifest_whose_ids_are_not_sha256_stops_serve_with_how_to_regenerate(
    tmp_path: Path,
) -> None:
    document = "query Me { me { username } }"
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({hashlib.md5(document.encode()).hexdigest(): document}))
    result = serve(tmp_path, manifest)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "hashAlgorithm: 'sha256'" in result.stderr
    assert not (tmp_path / "var" / "tenantry.db").exists()  # nothing migrated


def test_a_missing_manifest_stops_serve_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    result = serve(tmp_path, missing)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Trusted documents: {missing} cannot be read (No such file or directory)."
    ]
