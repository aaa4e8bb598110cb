"""Recovery codes: ten single-use codes, shown once when TOTP is turned on.

Each holds 80 random bits (16 base32 characters), so a plain SHA-256 would already resist
guessing from a dump; they are stored as HMAC-SHA256 under a key derived from the secret key
(like link tokens), so a dump alone cannot even test guesses. argon2 would add nothing at
this entropy and cost ten slow hashes per enrollment and a lookup by hash is then impossible.
"""

from __future__ import annotations

import re
import secrets
import uuid

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.secrets import keyed_digest
from models import RecoveryCode

COUNT = 10
_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # base32: no 0/1/8/9 to misread
_GROUP = 4
_SHAPE = re.compile(r"^[a-z2-7]{16}$")
PURPOSE = "recovery-code"


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + _GROUP] for i in range(0, 16, _GROUP))


def _normal(code: str) -> str | None:
    """As typed: any case, with or without dashes and spaces."""
    if len(code) > 64:
        return None
    compact = re.sub(r"[\s-]", "", code).lower()
    return compact if _SHAPE.fullmatch(compact) else None


async def replace_codes(user_id: uuid.UUID, connection: BaseDBAsyncClient) -> list[str]:
    """A new set; the old one stops working. The codes are returned this once."""
    await RecoveryCode.filter(user_id=user_id).using_db(connection).delete()
    codes = [_new_code() for _ in range(COUNT)]
    await RecoveryCode.bulk_create(
        [
            RecoveryCode(user_id=user_id, code_hash=keyed_digest(PURPOSE, _normal(code) or ""))
            for code in codes
        ],
        using_db=connection,
    )
    return codes


async def use_code(user_id: uuid.UUID, code: str) -> bool:
    """True once per code: the DELETE that finds it is the one use."""
    normal = _normal(code)
    if normal is None:
        return False
    deleted = await RecoveryCode.filter(
        user_id=user_id, code_hash=keyed_digest(PURPOSE, normal)
    ).delete()
    return deleted > 0
