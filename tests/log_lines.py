"""The log lines a test caused, rendered as the app renders them (JSON)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


class Lines(logging.Handler):
    def __init__(self, formatter: logging.Formatter | None) -> None:
        super().__init__()
        self.lines: list[str] = []
        if formatter:
            self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines(app: object) -> Iterator[list[str]]:
    root = logging.getLogger()
    ours = next(h for h in root.handlers if getattr(h, "_tenantry", False))
    handler = Lines(ours.formatter)
    root.addHandler(handler)
    yield handler.lines
    root.removeHandler(handler)
