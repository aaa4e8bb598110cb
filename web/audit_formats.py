"""The audit export's two formats, written a batch at a time: JSON Lines and CSV.

CSV is opened in spreadsheets, and a spreadsheet runs a cell that starts with `=`, `+`, `-`
or `@` as a formula (OWASP's "CSV injection"): a user agent or a username is the client's to
choose, so such cells get a leading `'`, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import orjson

from domain.audit_log import EXPORT_COLUMNS

# Tab and carriage return start formulas in some spreadsheets too.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


MEDIA_TYPES = {
    ExportFormat.JSONL: "application/x-ndjson",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


def header(kind: ExportFormat) -> bytes:
    """What the file starts with: CSV's header row, nothing for JSON Lines."""
    return _csv_lines([list(EXPORT_COLUMNS)]) if kind is ExportFormat.CSV else b""


def encode(kind: ExportFormat, rows: Iterable[dict[str, Any]]) -> bytes:
    """A batch of exported events (domain.audit_log.event_batches), as bytes of the format."""
    if kind is ExportFormat.JSONL:
        return b"".join(orjson.dumps(row) + b"\n" for row in rows)
    return _csv_lines([[_cell(row[column]) for column in EXPORT_COLUMNS] for row in rows])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _csv_lines(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")
