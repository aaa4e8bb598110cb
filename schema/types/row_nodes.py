"""A page's nodes made straight from its rows (issue 17: speed).

The constructor a dataclass generates takes every field as a keyword, and a `from_row` that
reads every column a node may have (`row.get` for each, present or not) paid that for each of
a page's 100 users and 200 projects: three times what filling the node's fields from the
columns the row holds costs (bench/PROFILE.md). `RowNodes` writes, once per row shape (the
row's column names), a function that makes each node with `object.__new__` and one dict
display of the fields' values, the instance the constructor would make (tests/test_row_nodes.py
holds them equal). Fields whose columns the row lacks are None, as the page selects nothing
that reads them.

Rows are mappings of column names: the dicts of Tortoise's `values()` or asyncpg's records,
whose enum columns may hold the stored value (`models.plain_rows.stored_rows`) or the member.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

Node = TypeVar("Node")
Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Derived:
    """A field made from its columns' values: `make(*values)`, when the row holds them all."""

    columns: tuple[str, ...]
    make: Callable[..., Any]


class RowNodes(Generic[Node]):
    """Nodes of `cls` from rows. `fields` says where each field's value comes from: a column
    name (the column's value as it is, or through its conversion in what `conversions`
    answers: an enum column's stored value made its member, `models.plain_rows.enum_members`,
    asked when the first node is made, since a model's fields are complete only once
    Tortoise is set up), or `Derived` from several columns. Fields whose columns a row lacks
    are at their default, or None."""

    def __init__(
        self,
        cls: type[Node],
        fields: Mapping[str, str | Derived],
        conversions: Callable[[], Mapping[str, Callable[[Any], Any]]] | None = None,
    ) -> None:
        self._cls = cls
        self._fields = dict(fields)
        self._conversions = conversions
        # Every field the constructor sets, at its default or None: what a row's columns do
        # not fill. (Fields with a resolver are the class's, not the instance's.)
        self._blank = {
            field.name: None if field.default is dataclasses.MISSING else field.default
            for field in dataclasses.fields(cls)  # type: ignore[arg-type]
            if field.init
        }
        unknown = set(self._fields) - set(self._blank)
        if unknown:
            raise TypeError(f"{cls.__name__} has no fields {sorted(unknown)}")
        self._makers: dict[tuple[str, ...], Callable[[Sequence[Row]], list[Node]]] = {}

    @property
    def cls(self) -> type[Node]:
        return self._cls

    def values(self, columns: tuple[str, ...], names: dict[str, Any]) -> dict[str, str]:
        """Each field of a node made from a row of these columns, as a Python expression of
        `row` (the names it uses put in `names`): what `make` sets the field to. Plans that
        answer a page straight from its rows (schema/plans.py) read the same expressions."""
        present = set(columns)
        converted = self._conversions() if self._conversions is not None else {}
        prefix = f"n{len(names)}_"  # several makers' names may share one namespace
        values = {}
        for index, (field, default) in enumerate(self._blank.items()):
            source = self._fields.get(field)
            if isinstance(source, Derived) and present.issuperset(source.columns):
                names[f"{prefix}f{index}"] = source.make
                arguments = ", ".join(f"row[{column!r}]" for column in source.columns)
                values[field] = f"{prefix}f{index}({arguments})"
            elif isinstance(source, str) and source in present:
                if source in converted:
                    names[f"{prefix}c{index}"] = converted[source]
                    values[field] = f"{prefix}c{index}(row[{source!r}])"
                else:
                    values[field] = f"row[{source!r}]"
            else:
                names[f"{prefix}d{index}"] = default
                values[field] = f"{prefix}d{index}"
        return values

    def conversion(self, field: str, columns: tuple[str, ...]) -> tuple[str, Any] | None:
        """The column and conversion a field's value is made of in rows of these columns,
        when it is a converted column (see `values`)."""
        source = self._fields.get(field)
        if not isinstance(source, str) or source not in columns or self._conversions is None:
            return None
        converted = self._conversions().get(source)
        return None if converted is None else (source, converted)

    def _maker(self, columns: tuple[str, ...]) -> Callable[[Sequence[Row]], list[Node]]:
        """`make` for rows of these columns, written out as Python once per shape (as the
        plans are, schema/plans.py): each node's values one dict display."""
        maker = self._makers.get(columns)
        if maker is None:
            names: dict[str, Any] = {"new": object.__new__, "cls": self._cls}
            items = ", ".join(f"{field!r}: {value}"
                              for field, value in self.values(columns, names).items())  # fmt: skip
            text = "\n".join([
                "def make(rows):",
                "    nodes = []",
                "    append = nodes.append",
                "    for row in rows:",
                "        node = new(cls)",
                f"        node.__dict__ = {{{items}}}",
                "        append(node)",
                "    return nodes",
            ])  # fmt: skip
            # Our own text: field and column names are the class's and the code's.
            exec(compile(text, f"<nodes of {self._cls.__name__}>", "exec"), names)  # noqa: S102
            maker = self._makers[columns] = names["make"]
        return maker

    def make(self, rows: Sequence[Row]) -> list[Node]:
        """One node per row, in the rows' order; the rows share their columns."""
        if not rows:
            return []
        return self._maker(tuple(rows[0].keys()))(rows)


Edge = TypeVar("Edge")


def edges(cls: type[Edge], nodes: Sequence[Any], cursors: Sequence[str]) -> list[Edge]:
    """`cls(node=node, cursor=cursor)` for each node and its cursor: a connection's edges, made
    as RowNodes makes nodes (the constructor's keywords cost more than the rest of an edge)."""
    if [field.name for field in dataclasses.fields(cls) if field.init] != ["node", "cursor"]:  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__} is not an edge of a node and its cursor")
    new = object.__new__
    made = []
    append = made.append
    for node, cursor in zip(nodes, cursors, strict=True):
        edge = new(cls)
        edge.__dict__ = {"node": node, "cursor": cursor}
        append(edge)
    return made


class RowEdges(Sequence[Edge]):
    """A connection's edges, one per row beside its cursor, made only when something reads
    them: a plan that answers the page straight from its rows (schema/plans.py) never makes
    the nodes and edges at all; graphql-core's general path, and any other reader, gets the
    objects `edges` makes of `row_nodes.make(rows)`, made once."""

    __slots__ = ("_edges", "_nodes", "cursors", "edge_cls", "row_nodes", "rows")

    def __init__(
        self,
        edge_cls: type[Edge],
        row_nodes: RowNodes[Any],
        rows: Sequence[Row],
        cursors: Sequence[str],
    ) -> None:
        if len(rows) != len(cursors):
            raise ValueError("a cursor for each row")
        self.edge_cls, self.row_nodes, self.rows, self.cursors = edge_cls, row_nodes, rows, cursors
        self._nodes: list[Any] | None = None
        self._edges: list[Edge] | None = None

    @property
    def nodes(self) -> list[Any]:
        """The page's nodes, made on first use (and then the edges' own)."""
        if self._nodes is None:
            self._nodes = self.row_nodes.make(self.rows)
        return self._nodes

    def _made(self) -> list[Edge]:
        if self._edges is None:
            self._edges = edges(self.edge_cls, self.nodes, self.cursors)
        return self._edges

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: Any) -> Any:
        return self._made()[index]

    def __iter__(self) -> Iterator[Edge]:
        return iter(self._made())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowEdges | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment] # a list's equality, a list's hashability

    def __repr__(self) -> str:
        return f"RowEdges({self._made()!r})"
