"""A keyset page of a list whose filter is one column's value (or none), as SQL text made once
per shape, on PostgreSQL (issue 17).

Tortoise builds a query's SQL anew on every call: for the users page that was a tenth of the
request's CPU, more than the database took to answer it. The users page nearly always lists
a tenant's users, unfiltered: `Equal` says that filter, and `plain_page` answers the page
`resolvers/pagination.paginate` would get from Tortoise, in the same order, with the same
rows (tests/test_plain_pages.py compares the two over every way through a list). Any other
filter, and SQLite, take Tortoise's path.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.models import Model

from models.plain_rows import Row, converted_rows, stored_rows


@dataclass(frozen=True, slots=True)
class Equal:
    """Rows whose `column` holds `value`; no column: every row."""

    column: str | None
    value: Any = None


EVERY_ROW = Equal(None)

# A keyset bound: (sort value, row ID) and the side of it the page reads, "gt" or "lt".
Bound = tuple[tuple[Any, uuid.UUID], str]

# (model, columns, filter column, order_by, descending, after's op, before's op) -> SQL text
_Shape = tuple[type[Model], tuple[str, ...], str | None, str, bool, str | None, str | None]
_STATEMENTS: dict[_Shape, str] = {}
_SIGN = {"gt": ">", "lt": "<"}


async def plain_page(
    model: type[Model],
    columns: Sequence[str],
    where: Equal,
    *,
    order_by: str,
    descending: bool,
    after: Bound | None,
    before: Bound | None,
    limit: int,
    stored: bool = False,
) -> list[Row]:
    """The first `limit` rows matching `where` between the bounds, ordered by (`order_by`,
    id), descending when asked; one mapping per row holding `columns` (`relation__field` for a
    column of a row a foreign key names). PostgreSQL only (`is_postgres`). With `stored`,
    enum columns hold their stored values (`models.plain_rows.stored_rows`)."""
    shape = (model, tuple(columns), where.column, order_by, descending,
             after[1] if after else None, before[1] if before else None)  # fmt: skip
    sql = _STATEMENTS.get(shape)
    if sql is None:
        sql = _STATEMENTS[shape] = _statement(shape)
    parameters: list[Any] = [] if where.column is None else [where.value]
    for bound in (after, before):
        if bound is not None:
            (value, row_id), _ = bound
            parameters += [value, row_id]
    parameters.append(limit)
    _, records = await model._meta.db.execute_query(sql, parameters)
    return (stored_rows if stored else converted_rows)(model, columns, records)


def _statement(shape: _Shape) -> str:
    model, columns, column, order_by, descending, after_op, before_op = shape
    meta = model._meta
    table = meta.db_table
    projection = meta.fields_db_projection

    def own(name: str) -> str:
        return f'"{table}"."{projection[name]}"'

    selected, joins = [], {}
    for name in columns:
        relation, _, field = name.rpartition("__")
        if not relation:
            selected.append(f'{own(name)} AS "{name}"')
            continue
        # One step along a foreign key: joined under the relation's name.
        other = meta.fields_map[relation].related_model._meta  # type: ignore[attr-defined]
        joins[relation] = (
            f'LEFT OUTER JOIN "{other.db_table}" "{relation}" '
            f'ON "{relation}"."{other.db_pk_column}" = {own(relation + "_id")}'
        )
        selected.append(f'"{relation}"."{other.fields_db_projection[field]}" AS "{name}"')
    conditions = [] if column is None else [f"{own(column)} = $1"]
    number = len(conditions)
    key, row_id = own(order_by), own("id")
    for op in (after_op, before_op):
        if op is None:
            continue
        # As resolvers/pagination._beyond: past the cursor, the sort value bounded alone too
        # so an index on it starts its scan there.
        value, ident, sign = f"${number + 1}", f"${number + 2}", _SIGN[op]
        conditions.append(
            f"({key} {sign}= {value} AND ({key} {sign} {value} OR ({key} = {value} AND "
            f"{row_id} {sign} {ident})))"
        )
        number += 2
    direction = " DESC" if descending else ""
    order = f"{key}{direction}"
    if not _unique_together(model, column, order_by):
        order += f", {row_id}{direction}"
    # Our own text: names from the model's fields, every value a parameter.
    return (
        f'SELECT {", ".join(selected)} FROM "{table}" {" ".join(joins.values())} '  # noqa: S608
        f"WHERE {' AND '.join(conditions) or 'TRUE'} "
        f"ORDER BY {order} LIMIT ${number + 1}"
    )


def _unique_together(model: type[Model], column: str | None, order_by: str) -> bool:
    """Whether the rows holding one value of `column` never share a sort value (a tenant's
    usernames): then the ID never breaks a tie, and ordering by the sort value alone reads the
    unique index in its order, where PostgreSQL would otherwise sort the page's rows on the ID
    within each value (an incremental sort, two thirds of the users page's time there)."""
    if column is None:
        return False
    meta = model._meta
    for fields in meta.unique_together:
        # A foreign key's own column is its field's name and `_id`, as `Equal` names it.
        names = {f"{name}_id" if name in meta.fk_fields else name for name in fields}
        # NULLs never clash in a unique index: a nullable column's rows could tie.
        if names == {column, order_by} and not any(meta.fields_map[n].null for n in fields):
            return True
    return False
