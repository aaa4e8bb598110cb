"""Password rules and argon2id hashing in a bounded thread pool, off the event loop."""

from __future__ import annotations

import asyncio
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from config import get_config
from domain.errors import ValidationFailed

MIN_LENGTH = 8
MAX_LENGTH = 1024


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("domain").joinpath("data/common-passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_password_rules(
    password: str, *, username: str, tenant_name: str, field: str = "password"
) -> str:
    """NIST SP 800-63B: length only, no composition rules, refuse the guessable."""
    normalized = unicodedata.normalize("NFKC", password)
    if not _encodable(normalized):
        raise ValidationFailed("The password contains characters that are not text.", field)
    if len(normalized) < MIN_LENGTH:
        raise ValidationFailed(f"The password must have at least {MIN_LENGTH} characters.", field)
    if len(normalized) > MAX_LENGTH:
        raise ValidationFailed(f"The password must have at most {MAX_LENGTH} characters.", field)
    folded = normalized.casefold()
    if folded == username.casefold():
        raise ValidationFailed("The password must not be the username.", field)
    if folded == tenant_name.casefold():
        raise ValidationFailed("The password must not be the tenant's name.", field)
    if folded in _common_passwords():
        raise ValidationFailed("This password is too common: choose another.", field)
    return normalized


def _encodable(password: str) -> bool:
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON's \uXXXX escapes can carry
        return False
    return True


def _secret(password: str) -> bytes:
    """The bytes argon2 sees. A lone surrogate passes through as bytes no valid text encodes
    to, so such a password verifies against nothing, in the usual time, instead of raising."""
    return unicodedata.normalize("NFKC", password).encode("utf-8", "surrogatepass")


class PasswordHashing:
    """argon2id with a fixed-size pool: at most `threads` hashes run at once."""

    def __init__(self, memory_kib: int, time_cost: int, parallelism: int, threads: int) -> None:
        self.hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="argon2")
        self.waiting = 0
        # Verified against unknown users so both answers cost the same time.
        self.dummy_hash = self.hasher.hash("tenantry dummy password")

    async def _run(self, fn, *args):  # type: ignore[no-untyped-def]
        self.waiting += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)
        finally:
            self.waiting -= 1

    async def hash(self, password: str) -> str:
        return await self._run(self.hasher.hash, unicodedata.normalize("NFKC", password))

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        candidate = _secret(password)
        if stored_hash is None:
            await self._run(self._verify, self.dummy_hash, candidate)
            return False
        return await self._run(self._verify, stored_hash, candidate)

    def _verify(self, stored_hash: str, password: bytes) -> bool:
        try:
            return self.hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self.hasher.check_needs_rehash(stored_hash)


_hashing: PasswordHashing | None = None


def hashing() -> PasswordHashing:
    global _hashing
    if _hashing is None:
        config = get_config()
        _hashing = PasswordHashing(
            config.argon2_memory_kib,
            config.argon2_time_cost,
            config.argon2_parallelism,
            config.password_hash_threads,
        )
    return _hashing


def reset_hashing() -> None:
    """Forget the pool (configuration changed, e.g. between test runs)."""
    global _hashing
    if _hashing is not None:
        _hashing.pool.shutdown(wait=False)
    _hashing = None
