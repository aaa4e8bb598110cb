"""SCIM filters (RFC 7644 §3.4.2.2), parsed by scim2-models, as database queries.

Only the attributes Tenantry stores can be filtered on; anything else is UnsupportedFilter
(the SCIM answer is 400 invalidFilter). String comparisons follow each attribute's
caseExact: userName and e-mail addresses without regard to case, externalId and id exactly.
A user has one e-mail address, of type "work" and primary."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)
from tortoise.expressions import Q

from domain import validation
from domain.errors import ValidationFailed

ALL = Q(id__isnull=False)
NONE = Q(id__isnull=True)


class UnsupportedFilter(ValidationFailed):
    def __init__(self, message: str) -> None:
        super().__init__(message, "filter")


_LOOKUPS = {
    CompareOperator.eq: "",
    CompareOperator.co: "__contains",
    CompareOperator.sw: "__startswith",
    CompareOperator.ew: "__endswith",
}


def _text(column: str, op: CompareOperator, value: Any, *, fold: bool) -> Q:
    """A comparison of a string column (`fold`: a key column holding casefolded values)."""
    if op is CompareOperator.ne:
        return ~_text(column, CompareOperator.eq, value, fold=fold)
    if op not in _LOOKUPS:
        raise UnsupportedFilter(f"The operator {op.value} does not apply to this attribute.")
    if not isinstance(value, str):
        return NONE
    wanted = validation.key(value) if fold else value
    return Q(**{column + _LOOKUPS[op]: wanted})


def _present(column: str) -> Q:
    return Q(**{f"{column}__isnull": False})


def _constant(actual: Any, op: CompareOperator, value: Any) -> Q:
    """An attribute every row holds with the same value (an e-mail's type, primary)."""
    if isinstance(actual, str) and isinstance(value, str):
        actual, value = actual.casefold(), value.casefold()
    matches = {
        CompareOperator.eq: actual == value,
        CompareOperator.ne: actual != value,
        CompareOperator.co: isinstance(value, str) and value in actual,
        CompareOperator.sw: isinstance(value, str) and actual.startswith(value),
        CompareOperator.ew: isinstance(value, str) and actual.endswith(value),
    }
    if op not in matches:
        raise UnsupportedFilter(f"The operator {op.value} does not apply to this attribute.")
    return ALL if matches[op] else NONE


def _id(op: CompareOperator, value: Any) -> Q:
    if op not in (CompareOperator.eq, CompareOperator.ne):
        raise UnsupportedFilter("Only eq and ne compare an id.")
    try:
        found = Q(id=uuid.UUID(str(value)))
    except ValueError:
        found = NONE
    return found if op is CompareOperator.eq else ~found


# Each attribute a filter may name: (comparison, presence test).
Comparer = Callable[[CompareOperator, Any], Q]


def _user_name(op: CompareOperator, value: Any) -> Q:
    provisioned = _text("scim_user_name_key", op, value, fold=True)
    own = _text("username_key", op, value, fold=True)
    return provisioned | (Q(scim_user_name_key__isnull=True) & own)


def _active(op: CompareOperator, value: Any) -> Q:
    if op not in (CompareOperator.eq, CompareOperator.ne) or not isinstance(value, bool):
        raise UnsupportedFilter("active compares with eq or ne to true or false.")
    active = Q(deactivated_at__isnull=True)
    return active if (value is True) == (op is CompareOperator.eq) else ~active


USER_ATTRIBUTES: dict[str, tuple[Comparer, Q]] = {
    "id": (_id, ALL),
    "username": (_user_name, ALL),
    "externalid": (lambda op, v: _text("external_id", op, v, fold=False), _present("external_id")),
    "active": (_active, ALL),
    "emails": (lambda op, v: _text("email_key", op, v, fold=True), ALL),
    "emails.value": (lambda op, v: _text("email_key", op, v, fold=True), ALL),
    "emails.type": (lambda op, v: _constant("work", op, v), ALL),
    "emails.primary": (lambda op, v: _constant(True, op, v), ALL),
}

GROUP_ATTRIBUTES: dict[str, tuple[Comparer, Q]] = {
    "id": (_id, ALL),
    "displayname": (lambda op, v: _text("name_key", op, v, fold=True), ALL),
    "externalid": (lambda op, v: _text("external_id", op, v, fold=False), _present("external_id")),
    "members": (lambda op, v: _member(op, v), Q(memberships__id__isnull=False)),
    "members.value": (lambda op, v: _member(op, v), Q(memberships__id__isnull=False)),
}


def _member(op: CompareOperator, value: Any) -> Q:
    if op is not CompareOperator.eq:
        raise UnsupportedFilter("Only eq compares a group's members.")
    try:
        return Q(memberships__user_id=uuid.UUID(str(value)))
    except ValueError:
        return NONE


def as_query(node: FilterNode, attributes: dict[str, tuple[Comparer, Q]], prefix: str = "") -> Q:
    """The rows a parsed filter selects, for the attributes of one resource type."""
    match node:
        case LogicalExpr(op=op, terms=terms):
            queries = [as_query(term, attributes, prefix) for term in terms]
            joined = queries[0]
            for query in queries[1:]:
                joined = joined & query if op is LogicalOperator.and_ else joined | query
            return joined
        case Not(expr=expr):
            return ~as_query(expr, attributes, prefix)
        case Comparison(attr_path=path, op=op, value=value):
            return _attribute(path, attributes, prefix)[0](op, value)
        case Present(attr_path=path):
            return _attribute(path, attributes, prefix)[1]
        case ValuePath(attr_path=path, val_filter=inner, sub_attr=None):
            return as_query(inner, attributes, prefix=_name(path, "") + ".")
    raise UnsupportedFilter("This filter is not supported.")


def _name(path: AttrPath, prefix: str) -> str:
    name = path.attr + (f".{path.sub_attr}" if path.sub_attr else "")
    return (prefix + name).casefold()


def _attribute(
    path: AttrPath, attributes: dict[str, tuple[Comparer, Q]], prefix: str
) -> tuple[Comparer, Q]:
    name = _name(path, prefix)
    if name not in attributes:
        raise UnsupportedFilter(f"Filtering on {prefix}{path.attr} is not supported.")
    return attributes[name]
