"""Reading what browsers send as `name=value&…`: posted forms and query strings, strictly.

Browsers percent-encode UTF-8 and send each field of a form once. Anything else (too large,
too many fields, a field twice, bytes that are not UTF-8, a `%` not followed by two hex
digits, a NUL, which no text column takes) was not sent by our pages: it is refused with a
reason, before any of it is used, rather than guessed at.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from starlette.requests import Request

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


class Malformed(Exception):  # noqa: N818 - an HTTP answer, not a failure
    """Input no page of ours sends: answered with `status` and `reason`, and nothing else."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def parse_urlencoded(raw: bytes, *, max_fields: int, what: str = "form") -> dict[str, str]:
    """The fields of a form body or query string (`what`, for the reasons), each exactly once;
    raises Malformed."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed(f"The {what} is not UTF-8.") from None
    if _BAD_PERCENT.search(text):
        raise Malformed(f"The {what} has a `%` that starts no percent-encoding.")
    try:
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="strict",
            max_num_fields=max_fields,
        )  # fmt: skip
    except UnicodeDecodeError:
        raise Malformed(f"The {what}'s percent-encoded text is not UTF-8.") from None
    except ValueError:  # parse_qsl's "Max number of fields exceeded"
        raise Malformed(f"The {what} has more than {max_fields} fields.") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise Malformed(f"The {what} has a field twice: {name!r}.")
        if "\x00" in name or "\x00" in value:
            raise Malformed(f"The {what} holds a NUL character.")
        fields[name] = value
    return fields


def query_fields(request: Request, *, max_fields: int = 8) -> dict[str, str]:
    """The request's query string, strictly (see parse_urlencoded)."""
    raw = request.scope.get("query_string", b"")
    return parse_urlencoded(raw, max_fields=max_fields, what="query string")


async def read_form(request: Request, *, max_bytes: int, max_fields: int) -> dict[str, str]:
    """A posted `application/x-www-form-urlencoded` body, read no further than `max_bytes`."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != FORM_MEDIA_TYPE:
        raise Malformed(f"The form must be posted as {FORM_MEDIA_TYPE}.", status=415)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise Malformed(f"The form is larger than {max_bytes} bytes.", status=413)
    return parse_urlencoded(bytes(body), max_fields=max_fields)
