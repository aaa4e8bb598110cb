"""Tokens and at-rest encryption, all derived from the instance's secret key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from config import get_config


def new_token(prefix: str = "") -> str:
    """256 random bits, URL-safe."""
    return prefix + secrets.token_urlsafe(32)


def new_nonce() -> str:
    return secrets.token_hex(32)


def digest(token: str) -> str:
    """How a high-entropy token is stored: its SHA-256 (no salt needed at 256 bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_digest(purpose: str, value: str) -> str:
    """HMAC-SHA256 under a key derived from the secret key: a database dump alone cannot
    test guesses against it."""
    return hmac.new(_subkey(purpose), value.encode(), hashlib.sha256).hexdigest()


def _subkey(purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"tenantry:{purpose}".encode()
    ).derive(get_config().secret)


def signed_link_token(purpose: str, object_id: str, nonce: str) -> str:
    """`<id>.<HMAC(nonce)>`: derivable again (Copy link), useless from a dump without the key."""
    mac = hmac.new(_subkey(purpose), f"{object_id}:{nonce}".encode(), hashlib.sha256).digest()
    return f"{object_id}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def split_link_token(token: str) -> str | None:
    """The object ID a link token names, or None when it is not shaped like one."""
    object_id, dot, mac = token.partition(".")
    if not dot or not object_id or len(mac) != 43 or len(object_id) > 64:
        return None
    return object_id


def link_token_matches(purpose: str, token: str, object_id: str, nonce: str) -> bool:
    # surrogatepass: a lone surrogate (JSON's \ud800) gives bytes no real token has, so such
    # a token is compared, in the same time, and refused instead of raising.
    given = token.encode("utf-8", "surrogatepass")
    return hmac.compare_digest(given, signed_link_token(purpose, object_id, nonce).encode())


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_subkey("at-rest")))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str | None:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        return None
