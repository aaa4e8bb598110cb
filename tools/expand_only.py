"""Migrations newer than the previous release only expand the schema.

During a rolling deploy the previous release runs against this release's schema
(docs/operations.md, Rolling upgrades). So a migration it has not seen may add tables, columns
(nullable, or with a `db_default`: a Python default does not fill the previous release's
inserts), indexes; it may not drop or rename a table or column, change a
column's type, make it NOT NULL or shorten it: the previous release still reads and writes
them. A later release contracts, once no release running reads the thing any more: its
migration names each removal in a module-level `CONTRACTS = {"Model.field": "why no running
release reads it"}` (`"Model"` for a whole model), and this check lets those through.

`python -m tools.expand_only` prints one line per refused operation and exits 1; the suite
runs it (tests/upgrades/test_expand_only.py).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tortoise.migrations import operations as ops

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "models" / "migrations"
PREVIOUS_RELEASE = ROOT / "deploy" / "previous-release"

# Raw SQL that takes something away from the previous release.
_DESTRUCTIVE_SQL = re.compile(
    r"\bDROP\s+(TABLE|COLUMN|VIEW)\b|\bRENAME\b|\bSET\s+NOT\s+NULL\b"
    r"|\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b",
    re.IGNORECASE,
)


def previous_release() -> dict[str, str]:
    """`deploy/previous-release` as {key: value} (commit, last-migration)."""
    entries = {}
    for line in PREVIOUS_RELEASE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition(" ")
            entries[key] = value.strip()
    return entries


def migration_names() -> list[str]:
    return sorted(path.stem for path in MIGRATIONS.glob("[0-9]*.py"))


def newer_than_previous_release() -> list[str]:
    last = previous_release()["last-migration"]
    names = migration_names()
    if last not in names:
        raise ValueError(f"deploy/previous-release: no migration named {last}")
    return names[names.index(last) + 1 :]


def _load(name: str) -> Any:
    return importlib.import_module(f"models.migrations.{name}")


def _fields_declared(operations: Iterable[Any], fields: dict[tuple[str, str], Any]) -> None:
    """What each field was last declared as, as the operations go (for AlterField's before)."""
    for operation in operations:
        if isinstance(operation, ops.CreateModel):
            for name, field in operation.fields:
                fields[(operation.name, name)] = field
        elif isinstance(operation, ops.AddField | ops.AlterField):
            fields[(operation.model_name, operation.name)] = operation.field


def _column(name: str, field: Any) -> str:
    return getattr(field, "source_field", None) or name


def _narrowing(name: str, before: Any, after: Any) -> str | None:
    """Why AlterField from `before` to `after` breaks the previous release, or None."""
    if type(before) is not type(after):
        return f"changes its type ({type(before).__name__} to {type(after).__name__})"
    if _column(name, before) != _column(name, after):
        return f"renames its column ({_column(name, before)} to {_column(name, after)})"
    if getattr(before, "null", False) and not getattr(after, "null", False):
        return "makes it NOT NULL (the previous release may write NULL)"
    old_length, new_length = getattr(before, "max_length", None), getattr(after, "max_length", None)
    if old_length and new_length and new_length < old_length:
        return f"shortens it ({old_length} to {new_length})"
    return None


def _fillable(field: Any) -> bool:
    """A column the previous release's inserts, which leave it out, still fill."""
    has_db_default = getattr(field, "has_db_default", lambda: False)()
    return bool(getattr(field, "null", False) or has_db_default or getattr(field, "pk", False))


def _sql_statements(operation: Any) -> Iterator[str]:
    statements = operation.sql if isinstance(operation.sql, list | tuple) else [operation.sql]
    for statement in statements:
        yield statement[0] if isinstance(statement, tuple) else statement


def refusals(
    operations: Iterable[Any], fields: dict[tuple[str, str], Any], contracts: dict[str, str]
) -> Iterator[str]:
    """Why each of `operations` would break the previous release (nothing when it expands)."""
    for operation in operations:
        if isinstance(operation, ops.DeleteModel) and operation.name not in contracts:
            yield f"drops model {operation.name}"
        elif isinstance(operation, ops.AddField) and not _fillable(operation.field):
            yield (
                f"adds field {operation.model_name}.{operation.name} NOT NULL without a "
                "db_default (the previous release inserts rows without it)"
            )
        elif isinstance(operation, ops.RenameModel):
            yield f"renames model {operation.old_name} to {operation.new_name}"
        elif isinstance(operation, ops.RemoveField):
            if f"{operation.model_name}.{operation.name}" not in contracts:
                yield f"drops field {operation.model_name}.{operation.name}"
        elif isinstance(operation, ops.RenameField):
            yield (
                f"renames field {operation.model_name}.{operation.old_name} to {operation.new_name}"
            )
        elif isinstance(operation, ops.AlterField):
            key = (operation.model_name, operation.name)
            before = fields.get(key)
            why = before is not None and _narrowing(operation.name, before, operation.field)
            if why:
                yield f"alters field {operation.model_name}.{operation.name}: {why}"
        elif isinstance(operation, ops.DropSchema):
            yield "drops a schema"
        elif isinstance(operation, ops.RunSQL):
            for statement in _sql_statements(operation):
                if _DESTRUCTIVE_SQL.search(statement):
                    yield f"runs SQL that drops, renames or narrows: {statement.strip()[:80]}"
        _fields_declared([operation], fields)


def check() -> list[str]:
    """One line per refused operation of the migrations newer than the previous release."""
    newer = set(newer_than_previous_release())
    fields: dict[tuple[str, str], Any] = {}
    problems = []
    for name in migration_names():
        module = _load(name)
        operations = module.Migration.operations
        if name not in newer:
            _fields_declared(operations, fields)
            continue
        contracts = getattr(module, "CONTRACTS", {})
        problems += [f"{name}: {why}" for why in refusals(operations, fields, contracts)]
    return problems


def main() -> int:
    problems = check()
    for line in problems:
        print(line)
    if problems:
        print(
            "Migrations newer than the previous release may only expand the schema: "
            "docs/operations.md, Rolling upgrades.",
            file=sys.stderr,
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
