"""A shortcut in the executor for plain scalar fields (issue 7: speed).

graphql-core completes every value through the same general path: a resolve-info object, an
argument check, the resolver, then `complete_value` unwrapping NonNull and coercing the leaf.
For a field Strawberry itself resolves as "basic" (no resolver, no extensions, no exception
handlers: it just reads an attribute) and whose type is a scalar or enum, that path costs
several times the attribute read. A page of 100 users × 5 such fields pays it 500 times.

The shortcut reads the attribute the way Strawberry's basic resolver does and coerces it with
the leaf type's own `coerce_output_value`. Whenever the answer would not be a plain value (null,
an exception, an awaitable, a coercion failure) it steps aside and the field goes through the
general path again, so errors, null propagation and their messages stay graphql-core's own.
Reading an attribute twice is harmless; nothing with side effects ever takes the shortcut.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from graphql import (
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
)
from graphql.type.definition import is_leaf_type
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# Strawberry names the resolver it gives basic fields so: its presence proves the field has
# no resolver, no permission or other field extension, and no exception handler.
_BASIC_RESOLVER = "_get_basic_result"

# A shortcut: how Strawberry's basic resolver reads the value (its default resolver, usually
# getattr, and the attribute's name), and the leaf type that coerces it.
Shortcut = tuple[Callable[[Any, str], Any], str, GraphQLLeafType]
Plan = dict[int, Shortcut]
# Per schema, and gone with it: a plan is keyed by its fields' ids, which only a live schema
# keeps from being reused.
_plans: weakref.WeakKeyDictionary[GraphQLSchema, Plan] = weakref.WeakKeyDictionary()


def _plan_for(schema: GraphQLSchema) -> Plan:
    plan = _plans.get(schema)
    if plan is None:
        plan = {}
        for named in schema.type_map.values():
            if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
                continue
            for field_def in named.fields.values():
                resolve = field_def.resolve
                leaf = get_nullable_type(field_def.type)
                field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
                if (
                    getattr(resolve, "__name__", None) == _BASIC_RESOLVER
                    and is_leaf_type(leaf)
                    and isinstance(field, StrawberryField)
                    and field.is_basic_field
                ):
                    plan[id(field_def)] = (field.default_resolver, field.python_name, leaf)  # type: ignore[assignment]
        _plans[schema] = plan
    return plan


def _no_middleware(executor: Any) -> bool:
    # Strawberry passes a manager on every request; it wraps resolvers only when a schema
    # extension implements `resolve`, and then every field must go through it.
    manager = executor.middleware_manager
    return manager is None or not manager.middlewares


_MISS = object()
_PLAIN = frozenset({str, int, float, bool})


def _plain_value(shortcut: Shortcut, source: Any) -> Any:
    """The field's coerced value, or _MISS when the general path must answer (and report)."""
    read, name, leaf = shortcut
    try:
        value = read(source, name)
        if value is None or (
            type(value) not in _PLAIN
            and (isinstance(value, Exception) or inspect.isawaitable(value))
        ):
            return _MISS
        coerced = leaf.coerce_output_value(value)
    except Exception:  # noqa: BLE001 - the general path reports it
        return _MISS
    return _MISS if coerced is None or coerced is Undefined else coerced


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
        self._leaves: Plan = _plan_for(self.schema) if _no_middleware(self) else {}

    def build_per_event_executor(self, payload: Any) -> Any:
        # A subscription event runs on a shallow copy: its helpers must reach the copy.
        executor = super().build_per_event_executor(payload)
        executor.async_helpers = _weak_helpers(executor)
        return executor

    def execute_fields(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        # An object selecting only plain scalar fields (a page's nodes) is one loop; any
        # other selection, or any value that needs the general path, goes there whole, so
        # the order of the answer's keys stays the selection's order.
        leaves = self._leaves
        if leaves:
            fields = parent_type.fields
            shortcuts = []
            for response_name, field_details_list in grouped_field_set.items():
                field_def = fields.get(field_details_list[0].node.name.value)
                shortcut = leaves.get(id(field_def))
                if shortcut is None:
                    break
                shortcuts.append((response_name, shortcut))
            else:
                results: dict[str, Any] = {}
                for response_name, shortcut in shortcuts:
                    value = _plain_value(shortcut, source_value)
                    if value is _MISS:
                        break
                    results[response_name] = value
                else:
                    return results
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
        field_def = parent_type.fields.get(field_details_list[0].node.name.value)
        shortcut = self._leaves.get(id(field_def))
        if shortcut is not None:
            value = _plain_value(shortcut, source)
            if value is not _MISS:
                return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
