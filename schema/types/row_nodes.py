"""A page's nodes made straight from its rows (issue 17: speed).

The constructor a dataclass generates takes every field as a keyword, and a `from_row` that
reads every column a node may have (`row.get` for each, present or not) paid that for each of
a page's 100 users and 200 projects: three times what filling the node's fields from the
columns the row holds costs (bench/PROFILE.md). `RowNodes` works out once per row shape (the
row's column names) which fields the row fills, and makes each node with `object.__new__` and
the fields' values, the instance the constructor would make (tests/test_row_nodes.py holds
them equal). Fields whose column the row lacks are None, as the page selects nothing
that reads them.

Rows are mappings of column names: the dicts of Tortoise's `values()` or asyncpg's records.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

Node = TypeVar("Node")
Row = Mapping[str, Any]


class RowNodes(Generic[Node]):
    """Nodes of `cls` from rows: `copied` fields take their column's value as it is; `fill`
    sets the others (the ID, values derived from several columns) in the values it is given."""

    def __init__(
        self,
        cls: type[Node],
        copied: Mapping[str, str],
        fill: Callable[[Row, dict[str, Any]], None],
    ) -> None:
        self._cls = cls
        self._copied = dict(copied)
        self._fill = fill
        # Every field the constructor sets, at its default or None: what a row's columns do
        # not fill. (Fields with a resolver are the class's, not the instance's.)
        self._blank = {
            field.name: None if field.default is dataclasses.MISSING else field.default
            for field in dataclasses.fields(cls)  # type: ignore[arg-type]
            if field.init
        }
        unknown = set(self._copied) - set(self._blank)
        if unknown:
            raise TypeError(f"{cls.__name__} has no fields {sorted(unknown)}")
        self._shapes: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}

    def _copies(self, columns: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        copies = self._shapes.get(columns)
        if copies is None:
            present = set(columns)
            copies = self._shapes[columns] = tuple(
                (field, column) for field, column in self._copied.items() if column in present
            )
        return copies

    def make(self, rows: Sequence[Row]) -> list[Node]:
        """One node per row, in the rows' order; the rows share their columns."""
        if not rows:
            return []
        copies = self._copies(tuple(rows[0].keys()))
        new, cls, blank, fill = object.__new__, self._cls, self._blank, self._fill
        nodes = []
        for row in rows:
            values = blank.copy()
            for field, column in copies:
                values[field] = row[column]
            fill(row, values)
            node = new(cls)
            node.__dict__ = values
            nodes.append(node)
        return nodes
