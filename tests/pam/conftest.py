"""A real system account and the shipped PAM service file, for tests of the PAM method."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SHIPPED_SERVICE = Path(__file__).resolve().parents[2] / "deploy" / "pam.d" / "tenantry"
INSTALLED_SERVICE = Path("/etc/pam.d/tenantry")


@dataclass(frozen=True)
class SystemAccount:
    username: str
    password: str


def _need_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("PAM tests create a system user with useradd and chpasswd: run them as root")
    for tool in ("useradd", "userdel", "chpasswd"):
        if shutil.which(tool) is None:
            pytest.skip(f"PAM tests need {tool} on PATH")


@pytest.fixture(scope="session")
def pam_service() -> Path:
    """/etc/pam.d/tenantry as shipped in deploy/pam.d, installed when missing. Left in place
    afterwards: test runs in parallel (and other suites) rely on it, and removing it under them
    would silently switch PAM to the `other` service."""
    _need_root()
    if not INSTALLED_SERVICE.exists():
        temporary = INSTALLED_SERVICE.with_name(f".tenantry.{os.getpid()}")
        shutil.copyfile(SHIPPED_SERVICE, temporary)
        temporary.replace(INSTALLED_SERVICE)  # atomic: no reader sees a half-written file
    return INSTALLED_SERVICE


@pytest.fixture
def system_account(pam_service: Path) -> Iterator[SystemAccount]:
    """A fresh local account with a known password, deleted after the test."""
    account = SystemAccount(
        username=f"tnt{secrets.token_hex(4)}", password=f"Sys-{secrets.token_urlsafe(12)}"
    )
    subprocess.run(
        ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", account.username],
        check=True,
    )
    try:
        subprocess.run(
            ["chpasswd"], input=f"{account.username}:{account.password}\n", text=True, check=True
        )
        yield account
    finally:
        subprocess.run(["userdel", account.username], check=False)
