"""Normalising and validating the names people type: usernames, e-mails, domains, tenant names,
and the one rule for every string the API stores (`plain_text`)."""

from __future__ import annotations

import re
import unicodedata
import uuid

import idna

from domain.errors import NotFound, ValidationFailed

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TENANT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")

# Refused in every string the API stores, wherever it comes from:
# - Cc, controls (C0, DEL, C1): NUL ends C strings and PostgreSQL refuses it; CR and LF split
#   mail headers, SMTP commands and log lines; ESC drives terminals.
# - Cs, lone surrogates: not UTF-8, so not storable at all.
# - Cf, invisible formatting (bidi overrides, zero-width characters), Zl and Zp (line and
#   paragraph separators, line breaks to JavaScript): they make a host, URL or name read as
#   something it is not. No setting or name has a use for them.
_CONTROL = frozenset({"Cc", "Cs"})
_INVISIBLE = frozenset({"Cf", "Zl", "Zp"})
# PEM is lines of base64: the only controls it holds.
PEM_LINE_BREAKS = "\t\n\r"


def plain_text(value: str, field: str, *, allow: str = "", invisible_ok: bool = False) -> str:
    """The value, unchanged, when it holds no control or invisible character (see above);
    otherwise ValidationFailed naming the field. Checked before any trimming: what is refused
    is refused wherever it stands. `allow` lets line breaks through for PEM text, which is
    parsed and re-encoded before it is stored; `invisible_ok` is for secrets (never shown)."""
    if value.isprintable():  # the common case, in C: every category above is unprintable
        return value
    refused = _CONTROL if invisible_ok else _CONTROL | _INVISIBLE
    for character in value:
        if character not in allow and unicodedata.category(character) in refused:
            raise ValidationFailed(
                f"{field} must not contain control characters (such as NUL or line breaks) "
                "or invisible formatting characters.",
                field,
            )
    return value


def username(value: str, field: str = "username") -> str:
    value = plain_text(value, field).strip()
    if not _USERNAME.fullmatch(value):
        raise ValidationFailed(
            "A username has 1 to 64 letters, digits, dots, dashes or underscores, "
            "and starts with a letter or digit.",
            field,
        )
    return value


def tenant_name(value: str, field: str = "name") -> str:
    value = plain_text(value, field).strip()
    if not _TENANT_NAME.fullmatch(value):
        raise ValidationFailed(
            "A tenant name has 1 to 64 letters, digits, spaces, dots, dashes or underscores.",
            field,
        )
    return value


def domain(value: str, field: str = "domain") -> str:
    """Lower-case, no trailing dot, IDNA (punycode) form; at least two labels."""
    value = plain_text(value, field).strip().rstrip(".").lower()
    if not value or "@" in value or "/" in value or ":" in value:
        raise ValidationFailed("Give a domain name such as example.com.", field)
    try:
        ascii_form = idna.encode(value, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise ValidationFailed("Give a domain name such as example.com.", field) from None
    labels = ascii_form.split(".")
    if len(labels) < 2 or len(ascii_form) > 253 or not all(labels):
        raise ValidationFailed("Give a domain name such as example.com.", field)
    return ascii_form


def email(value: str, field: str = "email") -> str:
    """One local part, one domain; the domain in its normal form. Case is kept for display."""
    value = plain_text(value, field).strip()
    local, at, host = value.rpartition("@")
    if not at or "@" in local or not _LOCAL_PART.fullmatch(local) or ".." in local:
        raise ValidationFailed("Give an e-mail address such as ana@example.com.", field)
    try:
        normal_host = domain(host, field)
    except ValidationFailed:
        raise ValidationFailed("Give an e-mail address such as ana@example.com.", field) from None
    result = f"{local}@{normal_host}"
    if len(result) > 254:
        raise ValidationFailed("The e-mail address is too long.", field)
    return result


def email_domain(normal_email: str) -> str:
    return normal_email.rpartition("@")[2]


def storable(value: str) -> bool:
    """Text a column can hold and compare: no NUL byte (PostgreSQL refuses it) and no lone
    surrogate (not UTF-8 at all). No stored name contains either, so such input names nothing."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def lookup_key(value: str, max_length: int) -> str | None:
    """The comparison key of a name someone typed, or None when no stored key can equal it
    (too long once case-folded, a NUL byte, a lone surrogate): the database would refuse it."""
    folded = key(value.strip())
    if len(folded) > max_length or not storable(folded):
        return None
    return folded


def key(value: str) -> str:
    """The comparison form of names that are unique regardless of case."""
    return value.casefold()


def object_id(value: str | uuid.UUID) -> uuid.UUID:
    """IDs are opaque: anything that is not one of ours is simply not found."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise NotFound() from None
