"""Every secret the suite hands to or gets from the app, so the log output can be searched
for them when the run ends (tests/conftest.py: `logs_hold_no_secret`)."""

from __future__ import annotations

import re
from typing import Any

SEEN: set[str] = set()
_SECRET_NAME = re.compile(r"password|privatekey|token|secret", re.I)


def remember(value: str | None) -> None:
    # Short or repetitive values ("short", "x" * 5000) appear in logs innocently.
    if isinstance(value, str) and len(value) >= 12 and len(set(value)) >= 6:
        SEEN.add(value)


def remember_named(data: Any) -> None:
    """Values under secret-sounding keys, anywhere in a JSON-like structure."""
    if isinstance(data, dict):
        for key, value in data.items():
            if _SECRET_NAME.search(key) and isinstance(value, str):
                remember(value)
            else:
                remember_named(value)
    elif isinstance(data, list):
        for item in data:
            remember_named(item)
