"""Relay connections with keyset cursors: stable while rows come and go between pages, read
forward (`first`, `after`) or backward (`last`, `before`)."""

from __future__ import annotations

import base64
import functools
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from graphql import FieldNode, GraphQLError, VariableNode
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from config import get_config
from domain.validation import storable
from models.plain_pages import Equal, plain_page
from models.plain_rows import is_postgres, plain_values
from resolvers.preload import selected_node_fields
from schema.context import Info
from schema.types.pagination import PageInfo
from schema.types.row_nodes import edges as edges_of

M = TypeVar("M")
E = TypeVar("E")
# The page a connection answers when `first` is absent (the fields' default) or null.
DEFAULT_PAGE_SIZE = 50
# The arguments that bound how many rows a field answers: a connection's page (`first`,
# `last`), the IDs `nodes` looks up. The cost limit reads them (schema/cost.py, page_rows).
PAGE_ARGUMENTS = ("first", "last", "ids")

# Every connection field's paging arguments, described once (Relay's cursor connections).
First = Annotated[
    int | None,
    strawberry.argument(
        description=f"Forward paging: how many items to answer after `after` (from the start "
        f"without it). {DEFAULT_PAGE_SIZE} when null or left out; at most the instance's page "
        "limit (TENANTRY_MAX_PAGE_SIZE, 100 unless set). Not with `last`."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="A cursor (an edge's `cursor` or `pageInfo.endCursor`): answer the items "
        "after it. Cursors stay valid while items come and go."
    ),
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description="Backward paging: how many items to answer before `before` (from the end "
        "without it), in the list's order. Same limit as `first`; not with `first`."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(
        description="A cursor (an edge's `cursor` or `pageInfo.startCursor`): answer the items "
        "before it."
    ),
]


@dataclass(frozen=True, slots=True)
class Later(Generic[M]):
    """A list's query, made only when the page needs it: a page read by models/plain_pages.py
    (`paginate`'s `plainly`) never does, and building a Tortoise query costs about a twentieth
    of a 100-row page of scalars."""

    model: type[M]
    make: Callable[[], QuerySet[M]]


@dataclass
class Page(Generic[M]):
    rows: list[M]
    cursors: list[str]
    page_info: PageInfo
    total_count: int | None

    def edges(self, edge: type[E], node: Callable[[M], Any]) -> list[E]:
        """The connection's edges: each row made a node, beside its cursor."""
        return edges_of(edge, [node(row) for row in self.rows], self.cursors)


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


def page_size(value: int | None, argument: str = "first") -> int:
    """How many rows a page holds: `first` (or `last`), or the default when it is null. The
    cost limit counts a connection's rows with this same function, so the two cannot
    disagree."""
    limit = get_config().max_page_size
    if value is None:
        return min(DEFAULT_PAGE_SIZE, limit)
    if value < 0 or value > limit:
        raise _bad_input(f"`{argument}` must be between 0 and {limit}.")
    return value


@dataclass(frozen=True, slots=True)
class Window:
    """How many rows a page holds, and which way it reads: forward from `after` (`first`),
    or backward from `before` (`last`)."""

    size: int
    backward: bool = False


def page_window(first: int | None, last: int | None, *, first_sent: bool = True) -> Window:
    """The page `first` and `last` ask for. `first` has a default (50, the contract's) that
    every request carries unless it sends `first`: a backward page (`last`) ignores it then,
    and refuses a `first` the client sent, since Relay's algorithm for both (`first` rows,
    then the last `last` of them) is never what a client means."""
    if last is None:
        return Window(page_size(first))
    if first is not None and first_sent:
        raise _bad_input("Give `first` (forward from `after`) or `last` (back from `before`).")
    return Window(page_size(last, "last"), backward=True)


def argument_sent(field: FieldNode, name: str, variables: Mapping[str, Any]) -> bool:
    """Did the request give the field this argument (rather than leave it to its default)?
    As graphql-core decides: a literal, or a variable the request set (to null too)."""
    for argument in field.arguments or ():
        if argument.name.value == name:
            value = argument.value
            return not isinstance(value, VariableNode) or value.name.value in variables
    return False


def page_rows(arguments: Mapping[str, Any], *, first_sent: bool = True) -> int:
    """The most rows a field answers for its coerced arguments (a connection's page, or the
    IDs `nodes` looks up): 0 when the resolver refuses them."""
    try:
        if "ids" in arguments:
            return len(node_ids(arguments["ids"]))
        return page_window(
            arguments.get("first"), arguments.get("last"), first_sent=first_sent
        ).size
    except GraphQLError:
        return 0


def node_ids(ids: Sequence[str]) -> Sequence[str]:
    """`nodes(ids:)` looks up at most a page of IDs."""
    limit = get_config().max_page_size
    if len(ids) > limit:
        raise _bad_input(f"`ids` holds at most {limit} IDs.")
    return ids


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a client asks of a connection: the window, its cursors, and which of the answers
    that cost a query of their own it selected."""

    window: Window
    after: str | None = None
    before: str | None = None
    # totalCount: a COUNT(*) of the whole list.
    count: bool = False
    # pageInfo's flag for the side the page did not read towards (hasPreviousPage of a
    # forward page after a cursor, hasNextPage of a backward one): one EXISTS query.
    far_side: bool = False
    # Each edge's `cursor`: encoded for every row only when selected (pageInfo's start and end
    # cursors always are); about a tenth of a 100-row page of scalars otherwise.
    edge_cursors: bool = True


def page_request(
    info: Info, *, first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    """A connection field's arguments, as its resolver got them, made a PageRequest."""
    sent = argument_sent(info._raw_info.field_nodes[0], "first", info.variable_values)
    window = page_window(first, last, first_sent=sent)
    selected = selected_node_fields(info)
    # Only a page that starts from a cursor can have rows on its far side.
    far_cursor = before if window.backward else after
    far_flag = "hasNextPage" if window.backward else "hasPreviousPage"
    far_side = (
        far_cursor is not None
        and "pageInfo" in selected
        and far_flag in selected_node_fields(info, "pageInfo")
    )
    return PageRequest(
        window=window, after=after, before=before, count="totalCount" in selected,
        far_side=far_side, edge_cursors="cursor" in selected_node_fields(info, "edges"),
    )  # fmt: skip


def _beyond(order_by: str, key: tuple[Any, uuid.UUID], op: str, *, inclusive: bool) -> Q:
    """Rows past `key` in the keyset order (sort value, then ID), `op` ("gt" or "lt") saying
    which way; with `inclusive`, the row at `key` too."""
    value, row_id = key
    beyond = Q(**{f"{order_by}__{op}": value}) | Q(
        **{order_by: value, f"id__{op}{'e' if inclusive else ''}": row_id}
    )
    # The same bound again, on the sort value alone: an index on (…, sort value, id) then
    # starts its scan at the cursor instead of filtering every row before it.
    return Q(Q(**{f"{order_by}__{op}e": value}), beyond)


async def paginate(
    listed: QuerySet[M] | Later[M],
    page: PageRequest,
    *,
    order_by: str,
    descending: bool = False,
    columns: tuple[str, ...] | None = None,
    plainly: Equal | None = None,
    stored: bool = False,
) -> Page[Any]:
    """A page of `query`'s rows in the order (`order_by`, id), ascending unless `descending`:
    model instances, or with `columns` one dict per row holding just those columns (and the
    sort key and id, which the cursors need). Building a model instance costs about as much
    again as fetching its row; a list that only reads some columns need not pay it (issue 7:
    speed).

    Relay's algorithm, as keyset queries: `after` and `before` bound the list, a forward page
    takes the first rows of what is left, a backward page the last ones (read in reverse, so
    the database stops after the page, then put back in the list's order).

    `plainly`: `query`'s filter said as `Equal`, when it is that simple; with `columns`, on
    PostgreSQL, the page's statement is then made once per shape (models/plain_pages.py).
    `stored`: the rows of that path may hold enum columns' stored values, not their members
    (the caller's nodes convert them: schema/types/row_nodes.py)."""
    later = listed if isinstance(listed, Later) else Later(listed.model, lambda: listed)
    model, query = later.model, functools.cache(later.make)
    field = model._meta.fields_map[order_by]  # type: ignore[attr-defined]
    is_datetime = order_by in ("created_at", "at")
    max_length = getattr(field, "max_length", None)
    after = _decode(page.after, is_datetime, max_length) if page.after else None
    before = _decode(page.before, is_datetime, max_length) if page.before else None
    later, earlier = ("lt", "gt") if descending else ("gt", "lt")
    total = await query().count() if page.count else None
    size, backward = page.window.size, page.window.backward
    wanted = None if columns is None else tuple(dict.fromkeys((*columns, order_by, "id")))
    rows: list[Any]
    if wanted is not None and plainly is not None and is_postgres(model):
        rows = await plain_page(
            model, wanted, plainly, order_by=order_by,
            descending=descending != backward, limit=size + 1,
            after=(after, later) if after is not None else None,
            before=(before, earlier) if before is not None else None, stored=stored,
        )  # fmt: skip
    else:
        bounded = query()
        if after is not None:
            bounded = bounded.filter(_beyond(order_by, after, later, inclusive=False))
        if before is not None:
            bounded = bounded.filter(_beyond(order_by, before, earlier, inclusive=False))
        prefix = "-" if descending != backward else ""
        page_query = bounded.order_by(f"{prefix}{order_by}", f"{prefix}id").limit(size + 1)
        rows = await (page_query if wanted is None else plain_values(page_query, wanted))
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
    key = (lambda row: (getattr(row, order_by), row.id)) if wanted is None else (
        lambda row: (row[order_by], row["id"])
    )  # fmt: skip
    if page.edge_cursors or len(rows) <= 2:
        cursors = [_encode(*key(row)) for row in rows]
    else:  # no edge's cursor is read: only pageInfo's two
        cursors = [_encode(*key(rows[0])), *[""] * (len(rows) - 2), _encode(*key(rows[-1]))]
    # The side the page did not read towards: rows there exist when the cursor the page
    # starts from is not the list's end. Asked only when selected.
    far_cursor, far_op = (before, later) if backward else (after, earlier)
    far = False
    if far_cursor is not None and page.far_side:
        far = await query().filter(_beyond(order_by, far_cursor, far_op, inclusive=True)).exists()
    return Page(
        rows=rows,
        cursors=cursors,
        page_info=PageInfo(
            has_next_page=far if backward else more,
            has_previous_page=more if backward else far,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
        total_count=total,
    )
