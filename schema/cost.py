"""What the operation that runs asks for: its cost, depth and aliases (issue 11).

Measured with graphql-core's own machinery, from what it will execute: the operation it picks
(`get_operation_ast`), the variables as it coerces them (`get_variable_values`), the fields as
it collects them (`collect_fields`: fragments, @skip and @include, merged response keys) and
the argument values it passes the resolvers (`get_argument_values`). A variable sent as
`100.0`, a null, a default: each is counted as the resolver will see it.

The cost model: every field costs 1. A connection field (one with a page argument) costs 1 plus
its selection times the rows it answers: `page_rows`, the function the resolvers page with
(`first` or `last`; for `nodes`, its IDs), at least 1 (its `totalCount` and `pageInfo` resolve
even on an empty page). An introspection list costs its selection times its length in this
schema: the average length while the walk holds every object of its kind
(`__schema { types { fields { args } } }`: the products are the schema's true totals), the
longest otherwise (`__type(name:)`, a field's `type`). A type's `ofType` chain is null past
the schema's deepest wrapping (`[X!]!`: three), so deeper levels cost nothing. Other lists
(edges, a user's projects) count their selection once: the page above them bounds them. An
abstract type costs its most expensive member.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_abstract_type,
    is_list_type,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.type.definition import GraphQLEnumType

from config import get_config
from resolvers.pagination import PAGE_ARGUMENTS, argument_sent, page_rows
from schema.plans import SHARED_PLANS, LastUsed

INTROSPECTION_ROOTS = ("__schema", "__type")


@dataclass(frozen=True, slots=True)
class Measure:
    operation_name: str | None
    cost: int
    # What the `__schema` and `__type` selections cost: they have their own budget.
    introspection_cost: int
    # Fields nested below the root fields (the root's are at 0); introspection is not counted.
    depth: int
    aliases: int
    # Root response keys selecting `__schema`, and `__type`.
    introspection_roots: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Sub:
    # A Fraction only below an introspection list counted at its average length.
    cost: int | Fraction
    height: int
    aliases: int


_NOTHING = _Sub(0, 0, 0)


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    raw_variables: dict[str, Any] | None,
) -> Measure | None:
    """The operation graphql-core will run, measured; None when it will run none (no such
    operation, variables that do not coerce, a directive's `if` given null through a
    variable): its executor reports why."""
    try:
        return _measure(schema, document, operation_name, raw_variables)
    except GraphQLError:
        # Collecting the fields refused a directive's argument: so will the executor's.
        return None


def _measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    raw_variables: dict[str, Any] | None,
) -> Measure | None:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    variables = get_variable_values(
        schema, operation.variable_definitions or (), raw_variables or {}, max_errors=1
    )
    root = schema.get_root_type(operation.operation)
    if isinstance(variables, list) or root is None:
        return None
    fragments = {
        d.name.value: FragmentDetails(d)
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments, variables, operation)
    grouped = collect_fields(schema, fragments, variables, root, operation).grouped_field_set
    cost: int | Fraction = 0
    introspection: int | Fraction = 0
    depth = aliases = 0
    roots = dict.fromkeys(INTROSPECTION_ROOTS, 0)
    for key, details in grouped.items():
        name = details[0].node.name.value
        sub = walk.fields(root, {key: details}, whole=False, wraps=0)
        aliases += sub.aliases
        if name in roots:
            roots[name] += 1
            introspection += sub.cost
        else:
            cost += sub.cost
            depth = max(depth, sub.height)
    name = operation.name.value if operation.name else None
    return Measure(name, _ceil(cost), _ceil(introspection), depth, aliases, roots)


# Per schema: (id(document), operation name, page limit) -> (the document, its Measure), for
# requests without variables: the document alone decides them, and the parser cache hands
# every request of a query text the same document.
_measured: weakref.WeakKeyDictionary[GraphQLSchema, LastUsed] = weakref.WeakKeyDictionary()


def measure_request(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    raw_variables: dict[str, Any] | None,
) -> Measure | None:
    """`measure`, remembered for the documents sent without variables."""
    if raw_variables:
        return measure(schema, document, operation_name, raw_variables)
    cache = _measured.get(schema)
    if cache is None:
        cache = _measured[schema] = LastUsed(SHARED_PLANS)
    key = (id(document), operation_name, get_config().max_page_size)
    found = cache.recall(key)
    if found is None:
        found = (document, measure(schema, document, operation_name, None))
        cache.remember(key, found)
    return found[1]  # type: ignore[no-any-return]


def introspection_budget(schema: GraphQLSchema) -> int:
    """What the fullest standard introspection query (GraphiQL's, code generators') costs on
    this schema: the most one operation's introspection may cost."""
    found = _budgets.get(schema)
    if found is None:
        from graphql import get_introspection_query, parse

        query = get_introspection_query(
            descriptions=True, specified_by_url=True, directive_is_repeatable=True,
            schema_description=True, input_value_deprecation=True,
            experimental_directive_deprecation=True, one_of=True,
        )  # fmt: skip
        measured = measure(schema, parse(query), None, None)
        assert measured is not None
        found = _budgets[schema] = measured.introspection_cost
    return found


_budgets: weakref.WeakKeyDictionary[GraphQLSchema, int] = weakref.WeakKeyDictionary()


def _ceil(value: int | Fraction) -> int:
    return -(-value.numerator // value.denominator)


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDetails],
        variables: VariableValues,
        operation: OperationDefinitionNode,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.operation = operation
        self.lists, self.deepest_wrapping = _introspection_sizes(schema)
        # A fragment spread under many fields is measured once: without this, fragments
        # spreading fragments twice over take exponential time to walk.
        self.memo: dict[tuple[Any, ...], _Sub] = {}

    def fields(
        self,
        parent: GraphQLObjectType,
        grouped: dict[str, list[FieldDetails]],
        whole: bool,
        wraps: int,
    ) -> _Sub:
        """`whole`: the parent stands for every object of its kind (the schema's types, all
        their fields): its introspection lists count at their average length. `wraps`: how
        many `ofType` steps led to the parent."""
        cost: int | Fraction = 0
        height = aliases = 0
        for details in grouped.values():
            node = details[0].node
            aliases += node.alias is not None
            field = self.schema.get_field(parent, node.name.value)
            if node.selection_set is None or field is None:
                cost += 1  # a leaf: whatever its arguments, one value
                continue
            multiplier, whole_below = self._multiplier(parent, field, details, whole)
            of_type = (parent.name, node.name.value) == ("__Type", "ofType")
            wraps_below = wraps + 1 if of_type else 0
            sub = self._below(field, details, whole_below, wraps_below)
            cost += 1 + multiplier * sub.cost
            aliases += sub.aliases
            if not node.name.value.startswith("__"):
                height = max(height, 1 + sub.height)
        return _Sub(cost, height, aliases)

    def _multiplier(
        self,
        parent: GraphQLObjectType,
        field: GraphQLField,
        details: list[FieldDetails],
        whole: bool,
    ) -> tuple[Fraction | int, bool]:
        if any(name in field.args for name in PAGE_ARGUMENTS):
            try:
                arguments = get_argument_values(
                    field, details[0].node, self.variables, details[0].fragment_variable_values
                )
            except GraphQLError:
                return 1, False  # the field fails without resolving
            sent = argument_sent(details[0].node, "first", self.variables.coerced)
            return max(page_rows(arguments, first_sent=sent), 1), False
        bound = self.lists.get((parent.name, details[0].node.name.value))
        if bound is not None and is_list_type(get_nullable_type(field.type)):
            average, longest = bound
            # The schema object stands for itself: its lists hold every type, every directive.
            whole = whole or parent.name == "__Schema"
            return (average if whole else longest), whole
        return 1, False

    def _below(
        self, field: GraphQLField, details: list[FieldDetails], whole: bool, wraps: int
    ) -> _Sub:
        named = get_named_type(field.type)
        if wraps > self.deepest_wrapping:
            return _NOTHING
        if is_abstract_type(named):
            members = self.schema.get_possible_types(named)  # type: ignore[arg-type]
        elif isinstance(named, GraphQLObjectType):
            members = [named]
        else:
            return _NOTHING
        key = (named.name, whole, wraps, *(id(d.node) for d in details))
        found = self.memo.get(key)
        if found is None:
            found = _NOTHING
            for member in members:
                grouped = collect_subfields(
                    self.schema, self.fragments, self.variables, self.operation, member, details
                ).grouped_field_set
                sub = self.fields(member, grouped, whole, wraps)
                found = _Sub(
                    max(found.cost, sub.cost),
                    max(found.height, sub.height),
                    max(found.aliases, sub.aliases),
                )
            self.memo[key] = found
        return found


Lists = dict[tuple[str, str], tuple[Fraction, int]]


def _introspection_sizes(schema: GraphQLSchema) -> tuple[Lists, int]:
    """(type, list field) -> the list's average and longest length in this schema's
    introspection; and the most wrappers (non-null, list) around any type it names."""
    found = _sizes.get(schema)
    if found is not None:
        return found
    types = list(schema.type_map.values())
    with_kinds = (GraphQLObjectType, GraphQLInterfaceType)
    with_fields = [t for t in types if isinstance(t, with_kinds)]
    fields = [f for t in with_fields for f in t.fields.values()]
    inputs = [
        *(a for f in fields for a in f.args.values()),
        *(a for d in schema.directives for a in d.args.values()),
        *(f for t in types if isinstance(t, GraphQLInputObjectType) for f in t.fields.values()),
    ]

    def lengths(kind: type | tuple[type, ...], read: Any) -> list[int]:
        return [len(read(t)) if isinstance(t, kind) else 0 for t in types]

    sizes = {
        ("__Schema", "types"): [len(types)],
        ("__Schema", "directives"): [len(schema.directives)],
        ("__Type", "fields"): lengths(with_kinds, lambda t: t.fields),
        ("__Type", "interfaces"): lengths(with_kinds, lambda t: t.interfaces),
        ("__Type", "possibleTypes"): [
            len(schema.get_possible_types(t)) if is_abstract_type(t) else 0  # type: ignore[arg-type]
            for t in types
        ],
        ("__Type", "enumValues"): lengths(GraphQLEnumType, lambda t: t.values),
        ("__Type", "inputFields"): lengths(GraphQLInputObjectType, lambda t: t.fields),
        ("__Field", "args"): [len(f.args) for f in fields],
        ("__Directive", "args"): [len(d.args) for d in schema.directives],
    }
    lists = {
        key: (Fraction(sum(counts), len(counts)) if counts else Fraction(0), max(counts, default=0))
        for key, counts in sizes.items()
    }
    deepest = max((_wrappers(t.type) for t in (*fields, *inputs)), default=0)
    found = _sizes[schema] = (lists, deepest)
    return found


def _wrappers(type_: Any) -> int:
    count = 0
    while isinstance(type_, GraphQLList | GraphQLNonNull):
        count, type_ = count + 1, type_.of_type
    return count


_sizes: weakref.WeakKeyDictionary[GraphQLSchema, tuple[Lists, int]] = weakref.WeakKeyDictionary()
