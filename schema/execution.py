"""Shortcuts in the executor for plain fields (issue 7: speed).

graphql-core completes every value through the same general path: a resolve-info object, an
argument check, the resolver, then `complete_value` unwrapping NonNull and List and coercing
leaves or recursing into objects. For a field Strawberry itself resolves as "basic" (no
resolver, no extensions, no exception handlers: it just reads an attribute), that path costs
many times the attribute read, and a page of 100 users pays it for every edge, node and
scalar.

Two shortcuts, both falling back to the general path whenever the answer would not be plain:

- A *plan* for an object whose whole selection is basic fields (scalars, enums, objects and
  lists of them, `__typename`): it reads the attributes and builds the answer in one pass. A
  page's connection, its edges and their nodes are one plan when nothing below them has a
  resolver. Plans are made once per selection and shared by the requests of a document
  (`_shared_key` says when they may not be).
- A *leaf* shortcut for a basic scalar field inside any other selection.

Whenever a plan meets anything but a plain value (an exception, an awaitable, a null where
the type forbids it, a coercion failure, an object its type does not accept) it gives up, and
the object goes through the general path whole, so errors, null propagation and their
messages stay graphql-core's own and the answer's key order stays the selection's. Reading an
attribute twice is harmless: nothing with side effects is basic.
"""

from __future__ import annotations

import inspect
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from types import GeneratorType
from typing import Any

from graphql import (
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    ValueNode,
    VariableNode,
)
from graphql.execution.collect_fields import FragmentDetails
from graphql.type.definition import is_leaf_type
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# Strawberry names the resolver it gives basic fields so: its presence proves the field has
# no resolver, no permission or other field extension, and no exception handler.
_BASIC_RESOLVER = "_get_basic_result"
# Strawberry's own `is_type_of` (for types with interfaces) is an isinstance check that never
# reads its `info` argument; a type's hand-written one might, so such types are not planned.
_STRAWBERRY_IS_TYPE_OF = "_get_is_type_of.<locals>.is_type_of"


@dataclass(frozen=True, slots=True)
class BasicField:
    """How Strawberry's basic resolver reads the field: its default resolver (usually
    getattr) and the attribute's name."""

    read: Callable[[Any, str], Any]
    attribute: str
    type: GraphQLOutputType
    # For scalar and enum fields: the value, coerced, or _MISS (a null included).
    leaf: Complete | None


# Per schema, and gone with it: keyed by the fields' ids, which only a live schema keeps from
# being reused.
_basic_fields: weakref.WeakKeyDictionary[GraphQLSchema, dict[int, BasicField]] = (
    weakref.WeakKeyDictionary()
)


def _basic_fields_of(schema: GraphQLSchema) -> dict[int, BasicField]:
    found = _basic_fields.get(schema)
    if found is None:
        found = {}
        for named in schema.type_map.values():
            if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
                continue
            for field_def in named.fields.values():
                field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
                if (
                    getattr(field_def.resolve, "__name__", None) == _BASIC_RESOLVER
                    and isinstance(field, StrawberryField)
                    and field.is_basic_field
                ):
                    inner = _without_non_null(field_def.type)
                    found[id(field_def)] = BasicField(
                        field.default_resolver,  # type: ignore[arg-type]
                        field.python_name,
                        field_def.type,
                        _complete_leaf(inner) if is_leaf_type(inner) else None,  # type: ignore[arg-type]
                    )
        _basic_fields[schema] = found
    return found


# Plans shared by the requests of one schema (see ExecutionContext._shared_key), the least
# recently used dropped past this many.
SHARED_PLANS = 1024
_shared_plans: weakref.WeakKeyDictionary[GraphQLSchema, OrderedDict[Any, Any]] = (
    weakref.WeakKeyDictionary()
)


def _shared_plans_of(schema: GraphQLSchema) -> OrderedDict[Any, Any]:
    plans = _shared_plans.get(schema)
    if plans is None:
        plans = _shared_plans[schema] = OrderedDict()
    return plans


# id(operation) -> (the operation, kept so its id stays its own; whether a directive in it or
# its fragments takes a variable). Bounded like the shared plans.
_variable_directives: OrderedDict[int, tuple[OperationDefinitionNode, bool]] = OrderedDict()


def _directives_take_variables(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDetails]
) -> bool:
    cached = _variable_directives.get(id(operation))
    if cached is not None and cached[0] is operation:
        return cached[1]
    found = _takes_variable(operation.selection_set) or any(
        _takes_variable(fragment.definition.selection_set) for fragment in fragments.values()
    )
    _variable_directives[id(operation)] = (operation, found)
    if len(_variable_directives) > SHARED_PLANS:
        _variable_directives.popitem(last=False)
    return found


def _takes_variable(selection_set: SelectionSetNode | None) -> bool:
    if selection_set is None:
        return False
    for selection in selection_set.selections:
        for directive in selection.directives or ():
            if any(_holds_variable(argument.value) for argument in directive.arguments or ()):
                return True
        if _takes_variable(getattr(selection, "selection_set", None)):
            return True
    return False


def _holds_variable(value: ValueNode) -> bool:
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_holds_variable(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_holds_variable(field.value) for field in value.fields)
    return False


def _no_middleware(executor: Any) -> bool:
    # Strawberry passes a manager on every request; it wraps resolvers only when a schema
    # extension implements `resolve`, and then every field must go through it.
    manager = executor.middleware_manager
    return manager is None or not manager.middlewares


class _Miss:
    """The general path must answer (and report) this value."""


_MISS: Any = _Miss()
_PLAIN = (str, int, float, bool, type(None))
# value -> completed value, or _MISS
Complete = Callable[[Any], Any]


# type -> whether its instances can be exceptions or awaitables; decided once per class,
# since both depend on the class alone (a coroutine, a generator, or `__await__`).
_unsettled_types: dict[type, bool] = dict.fromkeys(_PLAIN, False)


def _not_plain(value: Any) -> bool:
    kind = type(value)
    unsettled = _unsettled_types.get(kind)
    if unsettled is None:
        unsettled = issubclass(kind, BaseException) or inspect.isawaitable(value)
        if not unsettled and issubclass(kind, GeneratorType):
            unsettled = True  # a generator-based coroutine is awaitable, another generator not
        if len(_unsettled_types) < 10_000:  # classes made on the fly must not grow it forever
            _unsettled_types[kind] = unsettled
    return unsettled


def _complete_leaf(leaf: GraphQLLeafType) -> Complete:
    """A scalar or enum value (not null), coerced."""
    coerce = leaf.coerce_output_value

    def complete(value: Any) -> Any:
        if _not_plain(value):
            return _MISS
        try:
            coerced = coerce(value)
        except Exception:  # noqa: BLE001 - the general path reports it
            return _MISS
        return _MISS if coerced is None or coerced is Undefined else coerced

    return complete


# Values these scalars answer unchanged (Int is left out: it checks a 32-bit range).
_UNCHANGED = {"String": str, "ID": str, "Boolean": bool}


@dataclass(frozen=True, slots=True)
class Step:
    """One field of a planned object: read the attribute, then complete the value."""

    response_name: str
    read: Callable[[Any, str], Any]
    attribute: str
    nullable: bool
    # A value of exactly this type is the answer as it is (str for String and ID).
    unchanged: type | None
    complete: Complete  # for values that are not null


def _complete_list(item: Complete, item_nullable: bool) -> Complete:
    def complete(value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return _MISS
        completed = []
        append = completed.append
        for element in value:
            if element is None:
                if not item_nullable:
                    return _MISS
                append(None)
                continue
            done = item(element)
            if done is _MISS:
                return _MISS
            append(done)
        return completed

    return complete


def _complete_object(object_type: GraphQLObjectType, steps: list[Step]) -> Complete:
    is_type_of = object_type.is_type_of
    fields = [(s.response_name, s.read, s.attribute, s.nullable, s.unchanged, s.complete)
              for s in steps]  # fmt: skip

    def complete(source: Any) -> Any:
        if _not_plain(source) or (is_type_of is not None and is_type_of(source, None) is not True):
            return _MISS
        result = {}
        # The hot loop of a page: one pass per object, the steps' parts unpacked.
        for response_name, read, attribute, nullable, unchanged, complete_value in fields:
            try:
                value = read(source, attribute)
            except Exception:  # noqa: BLE001 - the general path reports it
                return _MISS
            if value is None:
                if not nullable:
                    return _MISS
            elif type(value) is not unchanged:
                value = complete_value(value)
                if value is _MISS:
                    return _MISS
            result[response_name] = value
        return result

    return complete


def _type_name(name: str) -> Callable[[Any, str], Any]:
    return lambda _source, _attribute: name


def _weak_helpers(executor: ExecutionContext) -> GraphQLResolveInfoHelpers:
    """The helpers graphql-core hands resolvers in `info.async_helpers`, without a cycle.

    graphql-core builds them from the executor's own bound methods, so every executor was a
    reference cycle: it, and through its context value the whole request (loaders, models,
    the page), outlived the request until a full garbage collection, which under load took
    most of a second (bench/RESULTS.md). These call the same methods through a weak
    reference; the running execution keeps its executor alive, and after it the helpers
    have nothing left to do.
    """
    ref = weakref.ref(executor)

    def alive() -> ExecutionContext:
        current = ref()
        if current is None:
            raise RuntimeError("info.async_helpers used after the GraphQL execution finished")
        return current

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        return alive().gather_async_work(values)

    def track(values: Sequence[Any]) -> None:
        alive().track_async_work(values)

    return GraphQLResolveInfoHelpers(gather=gather, track=track)


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _weak_helpers(self)
        self._basics = _basic_fields_of(self.schema) if _no_middleware(self) else {}
        # @stream changes how a list completes: with it in the schema, lists are not planned.
        self._plan_lists = self.schema.get_directive("stream") is None
        # id(grouped field set) -> (the set, kept so its id stays its own; plan or None)
        self._plans: dict[int, tuple[Any, Complete | None]] = {}
        self._shared = _shared_plans_of(self.schema)

    def build_per_event_executor(self, payload: Any) -> Any:
        # A subscription event runs on a shallow copy: its helpers must reach the copy, and
        # its plans are its own (the copy shares the dict otherwise).
        executor = super().build_per_event_executor(payload)
        executor.async_helpers = _weak_helpers(executor)
        executor._plans = {}
        return executor

    # --- plans ---------------------------------------------------------------------------

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Complete | None:
        """The whole object at once, or None when a field needs the general path."""
        cached = self._plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        # Recorded before compiling: a recursive selection never loops (it is not planned).
        self._plans[id(grouped_field_set)] = (grouped_field_set, None)
        key = self._shared_key(parent_type, grouped_field_set)
        shared = self._shared.get(key) if key is not None else None
        if shared is not None:
            self._shared.move_to_end(key)
            plan = shared[1]
        else:
            plan = self._compile(parent_type, grouped_field_set)
            if key is not None:
                self._shared[key] = (grouped_field_set, plan)
                if len(self._shared) > SHARED_PLANS:
                    self._shared.popitem(last=False)
        self._plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def _shared_key(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Any:
        """What a plan depends on, when it is the same in every request: the type and the
        selection's AST nodes (the parser cache hands every request of a document the same
        nodes; the entry holds them, so their ids stay theirs). Not when a directive takes a
        variable: `@include(if: $x)` changes what is selected below a level whose key would
        not show it. Variables in arguments (`first: $n`) change no plan."""
        if self.operation.variable_definitions and _directives_take_variables(
            self.operation, self.fragments
        ):
            return None
        return (parent_type.name, *(
            (response_name, *(id(details.node) for details in field_details_list))
            for response_name, field_details_list in grouped_field_set.items()
        ))  # fmt: skip

    def _compile(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Complete | None:
        if not (
            parent_type.is_type_of is None
            or getattr(parent_type.is_type_of, "__qualname__", "").endswith(_STRAWBERRY_IS_TYPE_OF)
        ):
            return None
        steps: list[Step] = []
        fields = parent_type.fields
        for response_name, field_details_list in grouped_field_set.items():
            name = field_details_list[0].node.name.value
            if name == "__typename":
                steps.append(Step(response_name, _type_name(parent_type.name), "", False, str,
                                  lambda value: value))  # fmt: skip
                continue
            basic = self._basics.get(id(fields.get(name)))
            if basic is None:
                return None
            nullable = not isinstance(basic.type, GraphQLNonNull)
            inner = _without_non_null(basic.type)
            complete = self._completion(inner, field_details_list)
            if complete is None:
                return None
            unchanged = _UNCHANGED.get(inner.name) if is_leaf_type(inner) else None  # type: ignore[union-attr]
            steps.append(Step(response_name, basic.read, basic.attribute, nullable, unchanged,
                              complete))  # fmt: skip
        return _complete_object(parent_type, steps)

    def _completion(self, inner: GraphQLOutputType, field_details_list: Any) -> Complete | None:
        """How to complete a value of this (nullable) type that is not null."""
        if is_leaf_type(inner):
            return _complete_leaf(inner)  # type: ignore[arg-type]
        if isinstance(inner, GraphQLList):
            if not self._plan_lists:
                return None
            item_type = inner.of_type
            item = self._completion(_without_non_null(item_type), field_details_list)
            if item is None:
                return None
            return _complete_list(item, not isinstance(item_type, GraphQLNonNull))
        if isinstance(inner, GraphQLObjectType):
            grouped_field_set, defer_usages, _ = self.collect_subfields(inner, field_details_list)
            return None if defer_usages else self._plan(inner, grouped_field_set)
        return None  # interfaces and unions: the general path resolves their runtime type

    # --- the executor's entry points -----------------------------------------------------

    def execute_fields(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        # position_context is None unless @defer is in play; then the general path decides.
        if self._basics and position_context is None:
            plan = self._plan(parent_type, grouped_field_set)
            if plan is not None:
                result = plan(source_value)
                if result is not _MISS:
                    return result
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def execute_field(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        # A scalar field among others that need the general path: read it directly.
        basic = self._basics.get(id(parent_type.fields.get(field_details_list[0].node.name.value)))
        if basic is not None and basic.leaf is not None:
            try:
                value = basic.read(source, basic.attribute)
            except Exception:  # noqa: BLE001 - the general path reports it
                value = None
            if value is not None and (done := basic.leaf(value)) is not _MISS:
                return done
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


def _without_non_null(type_: GraphQLOutputType) -> GraphQLOutputType:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_
