"""Where the browser goes after signing in: only our own URLs (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit

from config import get_config

MAX_LENGTH = 2048


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def default_target() -> str:
    return f"{get_config().public_url}/"


def safe_target(candidate: str | None) -> str:
    """`candidate` when it is a path on our site or a URL of the same origin as the public URL;
    otherwise the public URL's root."""
    if not candidate or len(candidate) > MAX_LENGTH:
        return default_target()
    # Browsers read a backslash as a slash and drop tabs and newlines: `/\evil` is `//evil`.
    if "\\" in candidate or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in candidate):
        return default_target()
    public_url = get_config().public_url
    try:
        parts = urlsplit(candidate)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return default_target()
    if not parts.scheme and not parts.netloc:
        if candidate.startswith("/") and not candidate.startswith("//"):
            scheme, netloc = _origin(public_url)
            return f"{scheme}://{netloc}{candidate}"
        return default_target()
    if parts.username is not None or parts.password is not None:
        return default_target()
    if _origin(candidate) == _origin(public_url):
        return candidate
    return default_target()
