"""Every secret the suite hands to or gets from the app, so the log output can be searched
for them when the run ends (tests/conftest.py: `logs_hold_no_secret`)."""

from __future__ import annotations

import logging
import re
from typing import Any

SEEN: set[str] = set()
SECRET_NAME = re.compile(r"password|privatekey|token|secret", re.I)
_AN_ID = re.compile(r"Ids?$")  # tokenIds: which tokens, not their secrets


def remember(value: str | None) -> None:
    # Short or repetitive values ("short", "x" * 5000) appear in logs innocently.
    if isinstance(value, str) and len(value) >= 12 and len(set(value)) >= 6:
        SEEN.add(value)


def remember_named(data: Any, *, sent: bool = False) -> None:
    """Values under secret-sounding keys, anywhere in a JSON-like structure. In what the suite
    `sent`, every string under such a key: a password wrapped in a list or an object (a
    mistyped input) is still the password. (Not in answers: an `apiToken` object holds the
    token's ID and name, which are no secrets.)"""
    if isinstance(data, dict):
        for key, value in data.items():
            if SECRET_NAME.search(key) and sent and not _AN_ID.search(key):
                _remember_all(value)
            elif SECRET_NAME.search(key) and isinstance(value, str):
                remember(value)
            else:
                remember_named(value, sent=sent)
    elif isinstance(data, list):
        for item in data:
            remember_named(item, sent=sent)


def _remember_all(data: Any) -> None:
    if isinstance(data, dict):
        for value in data.values():
            _remember_all(value)
    elif isinstance(data, list):
        for item in data:
            _remember_all(item)
    else:
        remember(data)


# The test bench's own tools log what they carry: the HTTP client the URL it asked for (a link
# page's ?token=), the SMTP server every line of the mail it received. They are the browser and
# the mailbox, not the app: their records are left out of the search for secrets.
_BENCH_LOGGERS = ("httpx", "httpcore", "mail.log")


def from_the_app(record: logging.LogRecord) -> bool:
    return not record.name.startswith(_BENCH_LOGGERS)
