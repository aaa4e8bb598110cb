"""Relay connections with keyset cursors: stable while rows come and go between pages."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from graphql import GraphQLError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from config import get_config
from domain.validation import storable
from schema.types.pagination import PageInfo

M = TypeVar("M")
E = TypeVar("E")
# The page a connection answers when `first` is absent (the fields' default) or null.
DEFAULT_PAGE_SIZE = 50
# The arguments that bound how many rows a connection field answers (Relay's `last` joins
# them when a connection takes it). The cost limit reads them (schema/cost.py).
PAGE_ARGUMENTS = ("first",)


@dataclass
class Page(Generic[M]):
    rows: list[M]
    cursors: list[str]
    page_info: PageInfo
    total_count: int | None

    def edges(self, edge: Callable[..., E], node: Callable[[M], Any]) -> list[E]:
        """The connection's edges: each row made a node, beside its cursor."""
        return [
            edge(node=node(row), cursor=cursor)
            for row, cursor in zip(self.rows, self.cursors, strict=True)
        ]


def _bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def _encode(value: Any, row_id: Any) -> str:
    plain = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(json.dumps([plain, str(row_id)]).encode()).decode()


def _decode(cursor: str, is_datetime: bool, max_length: int | None) -> tuple[Any, uuid.UUID]:
    """The cursor's sort value and row ID, checked to be what `_encode` makes: clients send
    cursors back, and a crafted one must not reach the database as something else."""
    try:
        value, row_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(value, str) or not isinstance(row_id, str):
            raise ValueError("not two strings")
        if is_datetime:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError("a time without its zone")
        elif not storable(value) or (max_length is not None and len(value) > max_length):
            raise ValueError("no stored value looks like this")
        return value, uuid.UUID(row_id)
    # RecursionError: json.loads of a deeply nested array.
    except (ValueError, TypeError, RecursionError):
        raise _bad_input("The cursor is not valid.") from None


def page_size(first: int | None) -> int:
    """How many rows a page holds: `first`, or the default when it is null. The cost limit
    counts a connection's rows with this same function, so the two cannot disagree."""
    limit = get_config().max_page_size
    if first is None:
        return min(DEFAULT_PAGE_SIZE, limit)
    if first < 0 or first > limit:
        raise _bad_input(f"`first` must be between 0 and {limit}.")
    return first


def page_rows(arguments: Mapping[str, Any]) -> int:
    """The most rows a connection field answers for its coerced arguments: 0 when the
    resolver refuses them."""
    try:
        return page_size(arguments.get("first"))
    except GraphQLError:
        return 0


async def paginate(
    query: QuerySet[M],
    *,
    first: int | None,
    after: str | None,
    order_by: str,
    descending: bool = False,
    count: bool = True,
    columns: tuple[str, ...] | None = None,
) -> Page[Any]:
    """A page of `query`'s rows: model instances, or with `columns` one dict per row holding
    just those columns (and the sort key and id, which the cursors need). Building a model
    instance costs about as much again as fetching its row; a list that only reads some
    columns need not pay it (issue 7: speed)."""
    first = page_size(first)
    is_datetime = order_by in ("created_at", "at")
    total = await query.count() if count else None
    page_query = query
    if after:
        field = query.model._meta.fields_map[order_by]
        value, row_id = _decode(after, is_datetime, getattr(field, "max_length", None))
        op = "lt" if descending else "gt"
        page_query = page_query.filter(
            Q(**{f"{order_by}__{op}": value}) | Q(**{order_by: value, f"id__{op}": row_id})
        )
    prefix = "-" if descending else ""
    page_query = page_query.order_by(f"{prefix}{order_by}", f"{prefix}id").limit(first + 1)
    rows: list[Any]
    if columns is None:
        rows = await page_query
        keys = [(getattr(row, order_by), row.id) for row in rows]
    else:
        wanted = dict.fromkeys((*columns, order_by, "id"))
        rows = await page_query.values(*wanted)
        keys = [(row[order_by], row["id"]) for row in rows]
    has_next = len(rows) > first
    rows = rows[:first]
    cursors = [_encode(value, row_id) for value, row_id in keys[:first]]
    return Page(
        rows=rows,
        cursors=cursors,
        page_info=PageInfo(has_next_page=has_next, end_cursor=cursors[-1] if cursors else None),
        total_count=total,
    )
