"""Prepared queries answered without graphql-core's executor (issue 17: the whole document in
one pass).

A query's answer is its root fields' values, each completed by its selection's plan
(schema/execution.py). When a prepared query's every root field is one Strawberry calls with
nothing around its resolver but permission classes, and every selection under them is
planned, nothing is left for the executor to do but its own bookkeeping: building itself,
collecting the root fields, a resolve-info and a path per field, Strawberry's extension chain,
awaiting and completing the value. Here the operation is compiled once into a `RootPlan`, and
each request of it runs what the answer depends on, with the libraries' own functions where
there is input to read:

- the variables and each field's arguments coerced by graphql-core (`get_variable_values`,
  `get_argument_values`), the arguments converted by Strawberry (`get_arguments`);
- each permission class's pure check (`permits`, the policy row its `has_permission` checks);
- the resolver called as Strawberry calls it (`StrawberryField.get_result`, with its `Info`);
- the value completed by the plan the executor made of the field's selection.

Whenever anything is not plain (input that does not coerce, a permission that refuses, an
exception, a null where the type forbids it, a plan's MISS), the request goes to the executor
whole, which answers and reports it exactly as before: queries only read, so a resolver that
ran here and runs again there changes nothing (a document of one root field hands the
executor the value its resolver answered, or what it raised, instead). Documents whose
directives take variables (`@include(if: $full)`) get a plan per set of those values
(schema/prepared.py). tests/web/test_differential.py proves the answers byte-equal to
graphql-core's general path on generated documents.
"""

from __future__ import annotations

import dataclasses
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
)
from graphql.execution.collect_fields import collect_fields
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.pyutils import Path
from strawberry.execution import optimized_is_awaitable
from strawberry.permission import PermissionExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter, get_arguments
from strawberry.types.field import StrawberryField
from strawberry.types.unset import UnsetType

from schema.plans import (
    MISS,
    PLAN_CONTEXT,
    Complete,
    LastUsed,
    without_non_null,
)


@dataclass(frozen=True, slots=True)
class RootField:
    """One root field of the operation: how to call its resolver and complete its value."""

    response_name: str
    definition: GraphQLField
    nodes: list[FieldNode]
    field: StrawberryField
    # Each with `permits(context) -> bool`: the pure check of its `has_permission`.
    permissions: tuple[Any, ...]
    nullable: bool
    complete: Complete  # for values that are not null
    # The converted arguments by the variables' values (RootPlan._value).
    converted: LastUsed = dataclasses.field(default_factory=lambda: LastUsed(256))


@dataclass(frozen=True, slots=True)
class RootPlan:
    """A prepared query's root fields (`__typename` as the root type's name)."""

    schema: GraphQLSchema
    operation: OperationDefinitionNode
    fragment_definitions: dict[str, FragmentDefinitionNode]
    fields: tuple[RootField | tuple[str, str], ...]
    info_class: type
    config: Any
    scalar_registry: Any

    async def answer(
        self, context: Any, root_value: Any, variables: dict[str, Any] | None
    ) -> tuple[Any, dict[str, Any]]:
        """The query's `data`, or MISS when the executor must answer the request; beside it,
        the root field's value resolved on the way (by response name), which the executor then
        completes instead of resolving it again (`RESOLVED`): a document of one root field
        only (`racing`)."""
        data, resolved = await self._answer(context, root_value, variables)
        return data, ({} if self.racing else resolved)

    @property
    def racing(self) -> bool:
        """Whether the document has several root fields. graphql-core resolves them all at
        once, and which of their errors reach the answer (the first to null `data`, the
        others then dropped) follows when each settles: the executor then runs them all
        itself, as if the plan had not (queries only read), rather than being handed values
        that settled one after another here."""
        return sum(not isinstance(root, tuple) for root in self.fields) > 1

    async def _answer(
        self, context: Any, root_value: Any, variables: dict[str, Any] | None
    ) -> tuple[Any, dict[str, Any]]:
        resolved: dict[str, Any] = {}
        coerced = get_variable_values(
            self.schema, self.operation.variable_definitions or (), variables or {}, max_errors=50
        )
        if isinstance(coerced, list):
            return MISS, resolved
        data: dict[str, Any] = {}
        token = PLAN_CONTEXT.set(context)
        try:
            for root in self.fields:
                if isinstance(root, tuple):
                    data[root[0]] = root[1]
                    continue
                value = await self._value(root, context, root_value, coerced)
                if value is MISS:
                    return MISS, resolved
                resolved[root.response_name] = value
                if type(value) is Raised:
                    return MISS, resolved
                if value is None:
                    if not root.nullable:
                        return MISS, resolved
                    data[root.response_name] = None
                    continue
                if (value := root.complete(value)) is MISS:
                    return MISS, resolved
                data[root.response_name] = value
        finally:
            PLAN_CONTEXT.reset(token)
        return data, resolved

    async def _value(self, root: RootField, context: Any, root_value: Any, coerced: Any) -> Any:
        for permission in root.permissions:
            if permission.permits(context) is not True:
                return MISS  # the executor raises the permission's own error
        query_type: GraphQLObjectType = self.schema.query_type  # type: ignore[assignment]
        node = root.nodes[0]
        raw_info = GraphQLResolveInfo(
            node.name.value, root.nodes, root.definition.type, query_type,
            Path(None, root.response_name, query_type.name), self.schema,
            self.fragment_definitions, root_value, self.operation, coerced,
            context, optimized_is_awaitable, None, None,
        )  # type: ignore[call-arg] # fmt: skip
        info = self.info_class(_raw_info=raw_info, _field=root.field)
        # The converted arguments depend on the variables alone (the field's nodes are the
        # document's): remembered by the variables' values when those and they are plain
        # immutable values; a request of the same values adds only its own source and info.
        key = _plain_key(coerced.coerced)
        converted = root.converted.recall(key) if key is not None else None
        try:
            if converted is not None:
                field_args, field_kwargs = _bound(root.field, dict(converted), root_value, info)
            else:
                arguments = (
                    get_argument_values(root.definition, node, coerced)
                    if root.definition.args or node.arguments
                    else {}
                )
                field_args, field_kwargs = get_arguments(
                    field=root.field, source=root_value, info=info, kwargs=arguments,
                    config=self.config, scalar_registry=self.scalar_registry,
                )  # fmt: skip
            value = root.field.get_result(root_value, info, field_args, field_kwargs)
            if optimized_is_awaitable(value):
                value = await value
        except Exception as error:  # noqa: BLE001 - the executor reports it
            # Reported by the executor without running it again, in a document of one root
            # field (`racing`): a resolver may count what it was asked.
            return Raised(error)
        if converted is None and key is not None:
            own = _request_parameters(root.field)
            kept = {name: given for name, given in field_kwargs.items() if name not in own}
            if _plain_key(kept) is not None:
                root.converted.remember(key, kept)
        return value


_PLAIN = (str, int, float, bool, type(None), UnsetType, Enum)


def _plain_key(values: dict[str, Any]) -> tuple[Any, ...] | None:
    """The values as a key, when each is a plain immutable value (an enum member too)."""
    for value in values.values():
        if not isinstance(value, _PLAIN):
            return None
    return tuple(values.items())


def _request_parameters(field: StrawberryField) -> frozenset[str]:
    """The resolver's parameters that `get_arguments` fills with the request's own objects."""
    resolver = field.base_resolver
    parameters = (resolver.info_parameter, resolver.parent_parameter, resolver.root_parameter)  # type: ignore[union-attr]
    return frozenset(parameter.name for parameter in parameters if parameter is not None)


def _bound(
    field: StrawberryField, kwargs: dict[str, Any], source: Any, info: Any
) -> tuple[list[Any], dict[str, Any]]:
    """What `get_arguments` adds to converted arguments (strawberry/schema/schema_converter.py)."""
    resolver = field.base_resolver
    args = [source] if resolver.self_parameter else []  # type: ignore[union-attr]
    if parent := resolver.parent_parameter:  # type: ignore[union-attr]
        kwargs[parent.name] = source
    if root := resolver.root_parameter:  # type: ignore[union-attr]
        kwargs[root.name] = source
    if info_parameter := resolver.info_parameter:  # type: ignore[union-attr]
        kwargs[info_parameter.name] = info
    return args, kwargs


@dataclass(frozen=True, slots=True)
class Raised:
    """What a root field's arguments or resolver raised, for the executor to report as it
    reports a resolver's exception."""

    error: Exception


# A document whose root fields are not all answerable here: the executor answers it.
UNFIT: Any = object()

# Set around the executor's run of a request a root plan gave up on: the root fields' values
# it resolved (schema/execution.py completes them as graphql-core completes a resolver's).
RESOLVED: ContextVar[dict[str, Any] | None] = ContextVar("resolved_root_fields", default=None)


def compile_root_plan(
    strawberry_schema: Any,
    document: DocumentNode,
    operation_name: str | None,
    executor_class: Any,
    context: Any,
    variables: dict[str, Any] | None,
) -> RootPlan | Any:
    """The document's root plan; UNFIT when it has none; None when this request's variables
    do not let the plan be made (a later request's may)."""
    schema: GraphQLSchema = strawberry_schema._schema
    converter: GraphQLCoreConverter = strawberry_schema.schema_converter
    if converter.exception_handlers:
        return UNFIT
    executor = executor_class.build(
        schema, document, None, context, variables, operation_name,
        is_awaitable=optimized_is_awaitable,
    )  # fmt: skip
    if isinstance(executor, list):
        return None
    operation = executor.operation
    if operation.operation is not OperationType.QUERY or not executor._basics:
        return UNFIT  # not a query, or the executor's shortcuts are off
    query_type = schema.query_type
    grouped, defer_usages, _ = collect_fields(
        schema, executor.fragments, executor.variable_values, query_type, operation
    )
    if defer_usages:
        return UNFIT
    fields: list[RootField | tuple[str, str]] = []
    for response_name, details in grouped.items():
        root = _root_field(executor, query_type, response_name, details)  # type: ignore[arg-type]
        if root is None:
            return UNFIT
        fields.append(root)
    config = converter.config
    return RootPlan(schema, operation, executor.fragment_definitions, tuple(fields),
                    config.info_class, config, converter.scalar_registry)  # fmt: skip


def _root_field(
    executor: Any, query_type: GraphQLObjectType, response_name: str, details: Any
) -> RootField | tuple[str, str] | None:
    name = details[0].node.name.value
    if name == "__typename":
        return (response_name, query_type.name)
    if any(detail.fragment_variable_values is not None for detail in details):
        return None
    definition = query_type.fields.get(name)
    field = (definition.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF) if (
        definition is not None
    ) else None  # fmt: skip
    if not isinstance(field, StrawberryField) or field.base_resolver is None:
        return None
    permissions = _permissions(field)
    if permissions is None:
        return None
    complete = executor._completion(without_non_null(definition.type), details)  # type: ignore[union-attr]
    if complete is None:
        return None
    return RootField(
        response_name, definition, [detail.node for detail in details], field, permissions,  # type: ignore[arg-type]
        not isinstance(definition.type, GraphQLNonNull), complete,  # type: ignore[union-attr]
    )  # fmt: skip


def _permissions(field: StrawberryField) -> tuple[Any, ...] | None:
    """The field's permission classes, when they are all it has around its resolver and
    each has a pure check; None otherwise."""
    found: list[Any] = []
    for extension in field.extensions:
        # Strawberry's own extension only: a subclass may do more around the resolver.
        if type(extension) is not PermissionExtension or extension.fail_silently:
            return None
        for permission in extension.permissions:
            if not callable(getattr(permission, "permits", None)):
                return None
            found.append(permission)
    return tuple(found)
