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

import weakref
from typing import Any

from graphql import GraphQLLeafType, GraphQLObjectType, GraphQLSchema, Undefined, get_nullable_type
from graphql.type.definition import is_leaf_type
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# Strawberry names the resolver it gives basic fields so: its presence proves the field has
# no resolver, no permission or other field extension, and no exception handler.
_BASIC_RESOLVER = "_get_basic_result"

Plan = dict[int, tuple[StrawberryField, GraphQLLeafType]]
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
                    plan[id(field_def)] = (field, leaf)  # type: ignore[assignment]
        _plans[schema] = plan
    return plan


def _no_middleware(executor: Any) -> bool:
    # Strawberry passes a manager on every request; it wraps resolvers only when a schema
    # extension implements `resolve`, and then every field must go through it.
    manager = executor.middleware_manager
    return manager is None or not manager.middlewares


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._leaves: Plan = _plan_for(self.schema) if _no_middleware(self) else {}

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
            field, leaf = shortcut
            value = field.get_result(source, info=None, args=[], kwargs={})
            plain = value is not None and not isinstance(value, Exception)
            if plain and not self.is_awaitable(value):
                try:
                    coerced = leaf.coerce_output_value(value)
                except Exception:  # noqa: BLE001 - the general path reports it
                    coerced = None
                if coerced is not None and coerced is not Undefined:
                    return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
