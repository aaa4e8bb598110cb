"""During a rolling deploy the previous release runs on this release's schema. Its own tests of
the users' read and write paths (its `tests/users`) pass on a database this release migrated.

The previous release is the commit `deploy/previous-release` names, taken from git
(`git archive`) into a scratch directory and run with this checkout's virtualenv. Its test bed
makes a database of its own; a conftest added next to its tests/users hands it this one
instead, and its start-up `migrate` finds nothing it knows left to apply.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import admin_url, direct_url, environment_for, new_database, pooler_url
from tools.expand_only import previous_release

ROOT = Path(__file__).resolve().parents[2]
SUBSET = ["tests/users"]
# Appended to the previous release's tests/users/conftest.py: the closest fixture wins.
NEWER_SCHEMA = """

@pytest.fixture(scope="session")
def database_url():  # the database the newer release migrated (tests/upgrades)
    return os.environ["TENANTRY_UPGRADE_DATABASE_URL"]
"""


@pytest.fixture(scope="module")
def previous_code(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    commit = previous_release()["commit"]
    known = subprocess.run(
        ["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=ROOT, capture_output=True
    )
    if known.returncode != 0:
        pytest.skip(f"the previous release {commit[:12]} is not in this clone (shallow?)")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True
    ).stdout
    directory = tmp_path_factory.mktemp("previous-release")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(directory, filter="data")
    conftest = directory / "tests" / "users" / "conftest.py"
    conftest.write_text(
        "import os\n\nimport pytest\n" + conftest.read_text() + NEWER_SCHEMA, encoding="utf-8"
    )
    yield directory


def _this_release_migrates(environment: dict[str, str], cwd: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "web.cli", "migrate"],
        cwd=cwd, capture_output=True, text=True, timeout=300,
        env={**_clean(os.environ), "PYTHONPATH": str(ROOT),
             "TENANTRY_SECRET_KEY": "test-secret-key-not-for-production", **environment},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _previous_release_tests(code: Path, database_url: str, db: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--db={db}", *SUBSET],
        cwd=code, capture_output=True, text=True, timeout=900,
        env={**_clean(os.environ), "PYTHONPATH": str(code),
             "TENANTRY_UPGRADE_DATABASE_URL": database_url},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1], result.stdout[-2000:]


def _clean(environment: os._Environ[str]) -> dict[str, str]:
    """Without this run's TENANTRY_* settings, which the other release may read otherwise."""
    return {
        key: value
        for key, value in environment.items()
        if not key.startswith("TENANTRY_") or key.startswith("TENANTRY_TEST_")
    }


def test_the_previous_release_reads_and_writes_users_on_this_releases_sqlite_schema(
    previous_code: Path, tmp_path: Path
):
    url = f"sqlite://{tmp_path / 'tenantry.db'}"
    _this_release_migrates({"TENANTRY_DATABASE_URL": url}, tmp_path)
    _previous_release_tests(previous_code, url, "sqlite")


@pytest.mark.postgres
async def test_the_previous_release_reads_and_writes_users_on_this_releases_postgresql_schema(
    previous_code: Path, tmp_path: Path
):
    admin_url()  # fails early, with the reason, when the PostgreSQL pass is not configured
    if pooler_url():
        pytest.skip("the pass without PgBouncer runs it: the previous release connects directly")
    async with new_database("tenantry_upgrade") as name:
        _this_release_migrates(environment_for(name), tmp_path)
        _previous_release_tests(previous_code, direct_url(name), "postgres")
