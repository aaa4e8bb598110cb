"""`await query.values(*columns)`, with the same values, for pages of rows (issue 17).

Tortoise turns every value of every row into its Python value through the field
(`to_python_value`), and copies asyncpg's records into dicts first: for a page of 100 users
with their 200 projects that was a fifth of the request's CPU. asyncpg already answers UUIDs,
aware datetimes (TIMESTAMPTZ, in UTC as `use_tz` asks), strings, numbers and booleans as
Python values, so on PostgreSQL only the fields asyncpg cannot know of (enums, JSON) are
converted, in dicts built once; rows with none of those are asyncpg's records as they are,
which read as mappings of the column names too (`row["name"]`, `row.get`, `keys()`). On
SQLite, whose driver answers text for most of those, the fields' own conversions run, as in
`values()`, except that datetimes are parsed by `datetime.fromisoformat` first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import LambdaType
from typing import Any

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet, ValuesQuery

# Fields whose values asyncpg answers as the Python value Tortoise would make.
_NATIVE_ON_POSTGRES: tuple[type[fields.Field], ...] = (
    fields.UUIDField,
    fields.DatetimeField,
    fields.CharField,
    fields.TextField,
    fields.BooleanField,
    fields.IntField,
    fields.BigIntField,
    fields.SmallIntField,
)

_converters: dict[tuple[type[Model], tuple[str, ...]], list[tuple[str, Callable[[Any], Any]]]] = {}


def _postgres_converters(
    model: type[Model], columns: tuple[str, ...]
) -> list[tuple[str, Callable[[Any], Any]]]:
    key = (model, columns)
    found = _converters.get(key)
    if found is None:
        # CharEnumField is a CharField whose values become enum members: converted.
        enums = enum_members(model, columns)
        found = []
        for column in columns:
            if column in enums:
                found.append((column, enums[column]))
            elif not isinstance(field := _field(model, column), _NATIVE_ON_POSTGRES):
                found.append((column, field.to_python_value))
        _converters[key] = found
    return found


def _member_of(enum: Any, convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The enum's member of a stored value: looked up, since calling the enum class costs
    more than the rest of a row; a value no member has goes to the field, which refuses it.
    A member is answered as it is, and None too (a nullable column)."""
    members: dict[Any, Any] = {member.value: member for member in enum}
    members[None] = None

    def member_of(value: Any) -> Any:
        if type(value) is enum:
            return value
        member = members.get(value, members)
        return convert(value) if member is members else member

    # Read by plans that answer rows directly (schema/plans.py): every stored value's member.
    member_of.members = dict(members)  # type: ignore[attr-defined]
    return member_of


def enum_members(model: type[Model], columns: Sequence[str]) -> dict[str, Callable[[Any], Any]]:
    """For each of `columns` whose field is an enum: the member of a stored value (or of a
    member, or None), as `values()` converts it. For rows answered in their stored form
    (`stored_rows`), converted where they are read (schema/types/row_nodes.py)."""
    found = {}
    for column in columns:
        field = _field(model, column)
        enum = getattr(field, "enum_type", None)
        if enum is not None:
            found[column] = _member_of(enum, field.to_python_value)
    return found


def stored_rows(model: type[Model], columns: Sequence[str], records: list[Any]) -> list[Row]:
    """asyncpg's records of `columns` as they are: `converted_rows`' values, except that
    enum columns hold their stored values (`enum_members` converts them). Copying a page's
    records into dicts to convert one column was a twentieth of the users page's CPU; the
    nodes convert it as they copy the row's values anyway. Refused for columns needing any
    other conversion (JSON), which a reader could not tell apart."""
    key = (model, tuple(columns))
    if key not in _stored_checked:
        enums = enum_members(model, columns)
        others = [c for c, _ in _postgres_converters(model, key[1]) if c not in enums]
        if others:
            raise TypeError(f"{model.__name__} columns {others} need converting")
        _stored_checked.add(key)
    return records


_stored_checked: set[tuple[type[Model], tuple[str, ...]]] = set()


def _field(model: type[Model], column: str) -> fields.Field:
    """The field a `values()` name reads: `tenant__name` is the user's tenant's name."""
    *path, name = column.split("__")
    for relation in path:
        model = model._meta.fields_map[relation].related_model  # type: ignore[attr-defined]
    return model._meta.fields_map[name]


Row = Mapping[str, Any]


async def plain_values(query: QuerySet[Any], columns: Sequence[str]) -> list[Row]:
    """One mapping per row holding `columns` (field names, `relation__field` for a joined
    one), with the values `query.values(*columns)` answers."""
    values = query.values(*columns)
    values._choose_db_if_not_chosen()
    if values._db.capabilities.dialect != "postgres":
        return await _sqlite_values(values)
    values._make_query()
    sql, parameters = values.query.get_parameterized_sql()
    _, records = await values._db.execute_query(sql, parameters)
    return converted_rows(query.model, columns, records)


async def _sqlite_values(values: ValuesQuery[Any]) -> list[Row]:
    """What `await values` answers on SQLite, with datetimes parsed by `fromisoformat`.

    SQLite holds datetimes as text, which Tortoise parses with the iso8601 package: on the
    nested users page that was a fifth of the request's CPU (bench/PROFILE.md). The value
    then goes through the field's own `to_python_value` as a datetime, which makes it aware in
    the configured time zone as before; text `fromisoformat` refuses is left to the field."""
    values._make_query()
    rows = await values._db.execute_query_dict(*values.query.get_parameterized_sql())
    converters = []
    for alias, field_name in values._fields_for_select.items():
        convert = values.resolve_to_python_value(values.model, field_name)
        if isinstance(convert, LambdaType):  # Tortoise's "as it is"
            continue
        if isinstance(getattr(convert, "__self__", None), fields.DatetimeField):
            convert = _parsed_datetime(convert)
        converters.append((alias, convert))
    for row in rows:
        for alias, convert in converters:
            row[alias] = convert(row[alias])
    return rows  # type: ignore[no-any-return]


def _parsed_datetime(to_python_value: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if type(value) is str:
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                pass
        return to_python_value(value)

    return convert


def converted_rows(model: type[Model], columns: Sequence[str], records: list[Any]) -> list[Row]:
    """asyncpg's records of `columns` (named so), with the values `values()` answers: the
    records themselves when no column needs converting."""
    converters = _postgres_converters(model, tuple(columns))
    if not converters:
        return records
    rows = _dicts(records)
    for row in rows:
        for column, convert in converters:
            value = row[column]
            if value is not None:
                row[column] = convert(value)
    return rows


def is_postgres(model: type[Model]) -> bool:
    """Whether `model`'s database is PostgreSQL, where the statements here run as our own."""
    return model._meta.db.capabilities.dialect == "postgres"  # type: ignore[no-any-return]


def _is_uuid(model: type[Model], column: str) -> bool:
    # A foreign key's `<name>_id` is a UUIDField too when the key it refers to is one.
    return isinstance(model._meta.fields_map[column], fields.UUIDField)


def _dicts(records: Sequence[Any]) -> list[dict[str, Any]]:
    # zip with the names: faster than dict(record), which looks each name up again.
    if not records:
        return []
    names = tuple(records[0].keys())
    return [dict(zip(names, record, strict=True)) for record in records]


# Per shape: the statement, and whether its keys go as text (UUIDs: see below).
_Shape = tuple[type[Model], tuple[str, ...], str, tuple[str, ...]]
_ANY_STATEMENTS: dict[_Shape, tuple[str, bool]] = {}


async def plain_values_among(
    model: type[Model],
    columns: Sequence[str],
    among: str,
    keys: Sequence[Any],
    order_by: Sequence[str],
) -> list[Row]:
    """The rows whose `among` is one of `keys`, in `order_by`'s order (ascending), as
    `plain_values` answers them. On PostgreSQL one statement whatever the number of keys
    (`= ANY($1)`): an `IN` list is SQL text Tortoise builds anew each time, a parameter per
    key, and each length a statement asyncpg prepares again."""
    if not is_postgres(model):
        return await plain_values(model.filter(**{f"{among}__in": keys}).order_by(*order_by),
                                  columns)  # fmt: skip
    shape = (model, tuple(columns), among, tuple(order_by))
    statement = _ANY_STATEMENTS.get(shape)
    if statement is None:
        projection = model._meta.fields_db_projection
        selected = ", ".join(f'"{projection[c]}" AS "{c}"' for c in columns)
        order = ", ".join(f'"{projection[c]}"' for c in order_by)
        # UUIDs go as text: asyncpg knows no codec for uuid[] until it has asked the server
        # (three statements more on each new connection), text[] it knows.
        as_text = _is_uuid(model, among)
        keys_type = "::text[]::uuid[]" if as_text else ""
        # Our own text: names from the model's fields, the keys a parameter.
        sql = (
            f'SELECT {selected} FROM "{model._meta.db_table}" '  # noqa: S608
            f'WHERE "{projection[among]}" = ANY($1{keys_type}) ORDER BY {order}'
        )
        statement = _ANY_STATEMENTS[shape] = (sql, as_text)
    sql, as_text = statement
    values = [str(key) for key in keys] if as_text else list(keys)
    _, records = await model._meta.db.execute_query(sql, [values])
    return converted_rows(model, columns, records)
