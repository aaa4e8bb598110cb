"""PAM: the system decides. Runs in a thread: a wrong password takes seconds (pam_faildelay)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pam

from config import get_config
from domain import validation

PAM_DIR = Path("/etc/pam.d")


def service_name() -> str:
    """The configured service, or `other` (PAM's fallback) when it has no file."""
    service = get_config().pam_service
    return service if (PAM_DIR / service).exists() else "other"


def _authenticate(username: str, password: str, service: str) -> bool:
    # A fresh authenticator per call: python-pam keeps per-call state on the object.
    return bool(pam.pam().authenticate(username, password, service=service))


def _passable(value: str) -> bool:
    """PAM takes NUL-terminated UTF-8: a NUL or a lone surrogate can never match anything."""
    return bool(value) and validation.storable(value)


async def authenticate(username: str, password: str) -> bool:
    if not _passable(username) or not _passable(password):
        return False
    return await asyncio.to_thread(_authenticate, username, password, service_name())
