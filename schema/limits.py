"""What one GraphQL document may ask for: depth, aliases, tokens, cost; introspection.

Each limit is a Strawberry schema extension (passed to the Schema as a class), reading the
active configuration, so a process configured with other limits gets them without a rebuild.
Validation rule classes are built once per configuration, so Strawberry's ValidationCache
(keyed by the rule tuple) keeps hitting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import IgnoreContext
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

from config import get_config

# The argument that bounds a list (connection) field: its items cost this many times over.
PAGE_ARGUMENT = "first"


class LimitExceeded(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "QUERY_TOO_COMPLEX"})


def _ignore_introspection(context: IgnoreContext) -> bool:
    # The introspection query GraphiQL sends is deep by nature; it is switched off as a whole.
    return context.field_name.startswith("__")


@lru_cache(maxsize=8)
def validation_rules(
    max_depth: int, max_aliases: int, introspection: bool
) -> tuple[type[ValidationRule], ...]:
    rules: list[type[ValidationRule]] = [
        depth_validator(max_depth, _ignore_introspection),
        alias_validator(max_aliases),
    ]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


class QueryLimits(SchemaExtension):
    """Every limit in one extension (each extension costs every request a few hooks):

    - depth, aliases and introspection as validation rules; tokens as a parser limit;
    - cost, at execution start, where variable values are known (`users(first: $n)`): every
      field costs 1, a field with a `first` argument costs `first` times its selection, and
      an operation over `max_query_cost` is refused before anything resolves;
    - without introspection, no "Did you mean ...": it would leak the schema one name at a
      time.
    """

    def on_operation(self) -> Iterator[None]:
        config = get_config()
        context = self.execution_context
        context.parse_options["max_tokens"] = config.max_query_tokens
        context.validation_rules = context.validation_rules + validation_rules(
            config.max_query_depth, config.max_aliases, config.introspection
        )
        yield
        if not config.introspection:
            _hide_suggestions(context)

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            limit = get_config().max_query_cost
            cost = operation_cost(
                context.schema._schema, document.definitions, context.operation_name,
                context.variables or {},
            )  # fmt: skip
            if cost > limit:
                raise LimitExceeded(f"Query cost {cost} exceeds the maximum of {limit}.")
        yield


def operation_cost(
    schema: GraphQLSchema,
    definitions: Any,
    operation_name: str | None,
    variables: Mapping[str, Any],
) -> int:
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    total = 0
    for operation in operations[:1] if operation_name or len(operations) == 1 else operations:
        root = {
            OperationType.QUERY: schema.query_type,
            OperationType.MUTATION: schema.mutation_type,
            OperationType.SUBSCRIPTION: schema.subscription_type,
        }[operation.operation]
        if root is not None:
            defaults = {
                v.variable.name.value: v.default_value for v in operation.variable_definitions or ()
            }
            counter = _CostCounter(schema, fragments, variables, defaults)
            total += counter.selection_cost(operation.selection_set, root, frozenset())
    return total


class _CostCounter:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        variable_defaults: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.variable_defaults = variable_defaults

    def selection_cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType,
        seen_fragments: frozenset[str],
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, parent, seen_fragments)
            elif isinstance(selection, InlineFragmentNode):
                target = self._type(selection.type_condition, parent)
                total += self.selection_cost(selection.selection_set, target, seen_fragments)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen_fragments:
                    continue
                target = self._type(fragment.type_condition, parent)
                total += self.selection_cost(
                    fragment.selection_set, target, seen_fragments | {name}
                )
        return total

    def field_cost(
        self, node: FieldNode, parent: GraphQLNamedType, seen_fragments: frozenset[str]
    ) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0
        field = parent.fields.get(name) if isinstance(parent, GraphQLObjectType) else None
        if field is None:
            # Interfaces and unions: the selection is costed against whatever type names it.
            fields = getattr(parent, "fields", {})
            field = fields.get(name)
        if field is None:
            return 1
        multiplier = 1
        argument = field.args.get(PAGE_ARGUMENT)
        if argument is not None:
            multiplier = max(self._page_size(node, argument.default_value), 1)
        child = get_named_type(field.type)
        return 1 + multiplier * self.selection_cost(node.selection_set, child, seen_fragments)

    def _page_size(self, node: FieldNode, default: Any) -> int:
        for argument in node.arguments or ():
            if argument.name.value != PAGE_ARGUMENT:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if isinstance(given, int):
                    return given
                fallback = self.variable_defaults.get(value.name.value)
                if isinstance(fallback, IntValueNode):
                    return int(fallback.value)
            return get_config().max_page_size
        return default if isinstance(default, int) else 1

    def _type(self, condition: Any, parent: GraphQLNamedType) -> GraphQLNamedType:
        if condition is None:
            return parent
        return self.schema.get_type(condition.name.value) or parent


_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def _hide_suggestions(context: Any) -> None:
    errors = list(context.pre_execution_errors or [])
    if context.result is not None and getattr(context.result, "errors", None):
        errors += context.result.errors
    for error in errors:
        error.message = _SUGGESTION.sub("", error.message)
