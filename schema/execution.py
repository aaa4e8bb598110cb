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

Both read internals of Strawberry and graphql-core, proven against the exact versions in
`PROVEN_WITH` (schema/plans.py; pyproject.toml pins them): with any other version installed,
or a document whose fragments take arguments, every field takes the general path.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable, Sequence
from typing import Any

from graphql import (
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    OperationType,
)
from graphql.type.definition import is_leaf_type
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from models.request_connection import let_go_of_request_connection
from schema.input_errors import VariableErrors
from schema.plans import (
    MISS,
    PLAN_CONTEXT,
    PRELOADED,
    PROVEN_WITH,
    STRAWBERRY_IS_TYPE_OF,
    UNCHANGED,
    Complete,
    Step,
    basic_fields_of,
    complete_abstract,
    complete_leaf,
    complete_list,
    complete_object,
    directive_variables,
    fragments_take_arguments,
    installed_versions,
    preloaded_step_reader,
    selection_key,
    shared_plans_of,
    type_name,
    unproven,
    without_non_null,
)
from schema.root_plans import RESOLVED, Raised

log = logging.getLogger("tenantry.graphql")

# Installed versions other than the proven ones: answers stay right, only slower.
_UNPROVEN = unproven(installed_versions())
if _UNPROVEN:
    log.warning(
        "GraphQL executor shortcuts are off: they were proven with %s, installed are %s",
        ", ".join(f"{name} {version}" for name, version in sorted(PROVEN_WITH.items())),
        ", ".join(f"{name} {version}" for name, version in sorted(_UNPROVEN.items())),
    )


def _no_middleware(executor: Any) -> bool:
    # Strawberry passes a manager on every request; it wraps resolvers only when a schema
    # extension implements `resolve`, and then every field must go through it.
    manager = executor.middleware_manager
    return manager is None or not manager.middlewares


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


class ExecutionContext(VariableErrors, StrawberryGraphQLCoreExecutionContext):
    # Whether plans and the leaf shortcut may run at all (see the module's docstring).
    shortcuts: bool = not _UNPROVEN

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _weak_helpers(self)
        if self.operation.operation is not OperationType.QUERY:
            # Writes wait on other things while they run (hashing, locks, mail): they check
            # a connection out per statement, not one for the request.
            let_go_of_request_connection()
        planned = (
            self.shortcuts and _no_middleware(self) and not fragments_take_arguments(self.fragments)
        )
        # No basic fields: no plan and no leaf shortcut, graphql-core's own path throughout.
        self._basics = basic_fields_of(self.schema) if planned else {}
        # @stream changes how a list completes: with it in the schema, lists are not planned.
        self._plan_lists = self.schema.get_directive("stream") is None
        # id(grouped field set) -> (the set, kept so its id stays its own; plan or None)
        self._plans: dict[int, tuple[Any, Complete | None]] = {}
        self._shared = shared_plans_of(self.schema)
        # Root fields a root plan already resolved for this request (schema/root_plans.py).
        self._resolved = RESOLVED.get()

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
        shared = self._shared.recall(key) if key is not None else None
        if shared is not None:
            plan = shared[1]
        else:
            plan = self._compile(parent_type, grouped_field_set)
            if key is not None:
                self._shared.remember(key, (grouped_field_set, plan))
        self._plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def _shared_key(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Any:
        """What a plan depends on, when it is the same in every request: the type and the
        selection's AST nodes (the parser cache hands every request of a document the same
        nodes; the entry holds them, so their ids stay theirs), and the values of the
        variables a directive takes: `@include(if: $x)` changes what is selected below a level
        whose nodes would not show it (None when such a value is not plain). Variables in
        arguments (`first: $n`) change no plan. Fragment arguments would (the same nodes
        select differently at each spread): documents with them are never planned
        (`fragments_take_arguments`)."""
        selecting: tuple[Any, ...] = ()
        if self.operation.variable_definitions:
            names = directive_variables(self.operation, self.fragment_definitions.values())
            if names:
                found = selection_key(names, self.variable_values.coerced)
                if found is None:
                    return None
                selecting = found
        return (parent_type.name, selecting, *(
            (response_name, *(id(details.node) for details in field_details_list))
            for response_name, field_details_list in grouped_field_set.items()
        ))  # fmt: skip

    def _compile(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Complete | None:
        if not (
            parent_type.is_type_of is None
            or getattr(parent_type.is_type_of, "__qualname__", "").endswith(STRAWBERRY_IS_TYPE_OF)
        ):
            return None
        steps: list[Step] = []
        fields = parent_type.fields
        for response_name, field_details_list in grouped_field_set.items():
            name = field_details_list[0].node.name.value
            if name == "__typename":
                steps.append(Step(response_name, type_name(parent_type.name), "", False, str,
                                  lambda value: value))  # fmt: skip
                continue
            field_def = fields.get(name)
            basic = self._basics.get(id(field_def))
            if basic is not None:
                read, attribute, type_ = basic.read, basic.attribute, basic.type
            else:
                # A field with a resolver that reads what its list resolver preloaded, and
                # takes no argument (a plan passes none).
                reader = PRELOADED.get((parent_type.name, name))
                if reader is None or field_def is None or field_def.args:
                    return None
                read, attribute, type_ = preloaded_step_reader(reader), name, field_def.type
            nullable = not isinstance(type_, GraphQLNonNull)
            inner = without_non_null(type_)
            complete = self._completion(inner, field_details_list)
            if complete is None:
                return None
            unchanged = UNCHANGED.get(inner.name) if is_leaf_type(inner) else None  # type: ignore[union-attr]
            steps.append(Step(response_name, read, attribute, nullable, unchanged, complete))
        return complete_object(parent_type, steps)

    def _completion(self, inner: GraphQLOutputType, field_details_list: Any) -> Complete | None:
        """How to complete a value of this (nullable) type that is not null."""
        if is_leaf_type(inner):
            return complete_leaf(inner)  # type: ignore[arg-type]
        if isinstance(inner, GraphQLList):
            if not self._plan_lists:
                return None
            item_type = inner.of_type
            item = self._completion(without_non_null(item_type), field_details_list)
            if item is None:
                return None
            return complete_list(item, not isinstance(item_type, GraphQLNonNull))
        if isinstance(inner, GraphQLObjectType):
            grouped_field_set, defer_usages, _ = self.collect_subfields(inner, field_details_list)
            return None if defer_usages else self._plan(inner, grouped_field_set)
        if isinstance(inner, GraphQLInterfaceType):
            # Each type it may be, planned for the selection as that type collects it.
            plans: dict[GraphQLObjectType, Complete | None] = {}
            for runtime_type in self.schema.get_possible_types(inner):
                grouped_field_set, defer_usages, _ = self.collect_subfields(
                    runtime_type, field_details_list
                )
                plans[runtime_type] = (
                    None if defer_usages else self._plan(runtime_type, grouped_field_set)
                )
            return complete_abstract(inner, plans)
        return None  # unions: the general path resolves their runtime type

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
                # Permission checks in the plan read the request's context (plans are shared).
                token = PLAN_CONTEXT.set(self.context_value)
                try:
                    result = plan(source_value)
                finally:
                    PLAN_CONTEXT.reset(token)
                if result is not MISS:
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
        if self._resolved is not None and path.prev is None and path.key in self._resolved:
            return self._complete_resolved(
                parent_type, field_details_list, path, position_context,
                self._resolved.pop(path.key),
            )  # fmt: skip
        # A scalar field among others that need the general path: read it directly.
        basic = self._basics.get(id(parent_type.fields.get(field_details_list[0].node.name.value)))
        if basic is not None and basic.leaf is not None:
            try:
                value = basic.read(source, basic.attribute)
            except Exception:  # noqa: BLE001 - the general path reports it
                value = None
            if value is not None and (done := basic.leaf(value)) is not MISS:
                return done
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _complete_resolved(
        self,
        parent_type: GraphQLObjectType,
        field_details_list: Any,
        path: Any,
        position_context: Any,
        result: Any,
    ) -> Any:
        """A root field's value its resolver already answered this request (or what it
        raised), completed (or reported) as graphql-core's `execute_field` does a resolver's,
        instead of running the resolver again."""
        field_def = parent_type.fields[field_details_list[0].node.name.value]
        return_type = field_def.type
        if type(result) is Raised:
            self.handle_field_error(result.error, return_type, field_details_list, path)
            return None
        info = self.build_resolve_info(
            field_def, [details.node for details in field_details_list], parent_type, path
        )
        try:
            completed = self.complete_value(
                return_type, field_details_list, info, path, result, position_context
            )
            if self.is_awaitable(completed):

                async def await_completed() -> Any:
                    try:
                        return await completed
                    except Exception as raw_error:  # noqa: BLE001 - as graphql-core handles it
                        self.handle_field_error(raw_error, return_type, field_details_list, path)
                        return None

                return await_completed()
        except Exception as raw_error:  # noqa: BLE001 - as graphql-core handles it
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed


class GeneralExecutionContext(ExecutionContext):
    """graphql-core's general path for every field, with the same weak helpers: what the
    shortcuts must answer exactly as (tests/web/test_differential.py)."""

    shortcuts = False
