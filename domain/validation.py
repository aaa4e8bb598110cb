"""Normalising and validating the names people type: usernames, e-mails, domains, tenant names."""

from __future__ import annotations

import re
import uuid

import idna

from domain.errors import NotFound, ValidationFailed

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TENANT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")


def username(value: str, field: str = "username") -> str:
    value = value.strip()
    if not _USERNAME.fullmatch(value):
        raise ValidationFailed(
            "A username has 1 to 64 letters, digits, dots, dashes or underscores, "
            "and starts with a letter or digit.",
            field,
        )
    return value


def tenant_name(value: str, field: str = "name") -> str:
    value = value.strip()
    if not _TENANT_NAME.fullmatch(value):
        raise ValidationFailed(
            "A tenant name has 1 to 64 letters, digits, spaces, dots, dashes or underscores.",
            field,
        )
    return value


def domain(value: str, field: str = "domain") -> str:
    """Lower-case, no trailing dot, IDNA (punycode) form; at least two labels."""
    value = value.strip().rstrip(".").lower()
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
    value = value.strip()
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
