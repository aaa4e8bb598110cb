"""Queries whose document this process already knows to be good, run without Strawberry's
per-request pipeline (issue 17: speed).

For every request Strawberry builds an execution context, instantiates the schema's extensions
and runs their hooks around parsing, validation and execution; with the parser and validation
caches, those hooks mostly look up what the previous request of the same document found. On a
users page that pipeline cost about a sixth of the request's CPU (bench/PROFILE.md).

Here a query's text is parsed and validated once, under the same token limit and rules, and
then every request of it runs what is left of the pipeline directly: the limits' measure, the
execution, and the same treatment of errors (`Schema.process_errors`, the suggestions hidden
when introspection is off, unexpected errors masked). Anything else takes Strawberry's own
path, which answers and reports it exactly as before: a document that does not parse or
validate, an operation that is not a query or that cannot be chosen, a refusal of the limits.

tests/web/test_differential.py proves the answers equal to those of Strawberry's path with
graphql-core's general executor, byte for byte, on generated documents; tests/web/
test_prepared_queries.py holds the edges (errors, masking, limits, operation names).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
)
from graphql import execute as graphql_execute
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.await_maybe import await_maybe
from strawberry.utils.operation import get_first_operation

from config import get_config
from schema.limits import hide_suggestions, refusal, request_rules
from schema.plans import MISS, LastUsed, directive_variables, selection_key
from schema.root_plans import RESOLVED, UNFIT, RootPlan, compile_root_plan

# As many as the parser's and the validation's caches hold.
PREPARED_DOCUMENTS = 512


@dataclass(slots=True)
class Prepared:
    """A query's document, parsed and valid under the rules its key names."""

    document: DocumentNode
    # The name graphql-core gets: the one asked for, or else the first operation's (as
    # Strawberry passes it).
    operation_name: str | None
    # Its root fields compiled (schema/root_plans.py), UNFIT, or None until a request's
    # variables let them be.
    root_plan: RootPlan | Any = None
    # The variables its directives take (`@include(if: $full)`): what is selected changes
    # with their values, so its root fields are compiled for each set of them (`by_selection`).
    selecting: tuple[str, ...] = ()
    by_selection: LastUsed = dataclasses.field(default_factory=lambda: LastUsed(8))


# A document that is not a valid single query here: Strawberry's path answers it.
_UNFIT = object()


class PreparedQueries:
    """The prepared documents of one schema, the most recently used kept."""

    def __init__(self, schema: Any, capacity: int = PREPARED_DOCUMENTS) -> None:
        self.strawberry_schema = schema
        self.schema: GraphQLSchema = schema._schema
        self._known = LastUsed(capacity)
        # Strawberry's own parse and validation caches, the ones its ParserCache and
        # ValidationCache extensions of the same size use: a document this path refuses (a
        # mutation) and Strawberry's path then answers is parsed and validated once.
        self._parse = _get_parse_cache(PREPARED_DOCUMENTS)
        self._validate = _get_validate_cache(PREPARED_DOCUMENTS)

    def find(self, query: str | None, operation_name: str | None) -> Prepared | None:
        if not query:
            return None
        config = get_config()
        key = (query, operation_name, config.max_query_tokens, config.introspection)
        found = self._known.recall(key)
        if found is None:
            found = self._prepare(query, operation_name, config.max_query_tokens,
                                  request_rules(config.introspection))  # fmt: skip
            self._known.remember(key, found)
        return None if found is _UNFIT else found

    def _prepare(
        self, query: str, operation_name: str | None, max_tokens: int, rules: tuple[Any, ...]
    ) -> Prepared | object:
        try:
            # As Strawberry's path calls it (`parse_options`), so both hit the same entry.
            document = self._parse(query, max_tokens=max_tokens)
        except GraphQLError:
            return _UNFIT
        operation = _operation(document, operation_name)
        if operation is None or operation.operation.value != OperationType.QUERY.value:
            return _UNFIT
        if self._validate(self.schema, document, rules):
            return _UNFIT
        name = operation_name if operation_name is not None else _name(operation)
        fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
        selecting = directive_variables(operation, fragments)
        return Prepared(document, name, selecting=selecting)

    async def execute(
        self,
        prepared: Prepared,
        *,
        variable_values: dict[str, Any] | None,
        context_value: Any,
        root_value: Any,
        operation_extensions: dict[str, Any] | None,
        execution_context_class: type[Any],
        finish_errors: Callable[[list[GraphQLError]], list[GraphQLError]],
    ) -> ExecutionResult | None:
        """The query's answer, or None when the limits refuse it (Strawberry's path then
        answers the refusal, as the limits' extension raises it there)."""
        if refusal(self.schema, prepared.document, prepared.operation_name, variable_values):
            return None
        root_plan = self._root_plan(
            prepared, execution_context_class, context_value, variable_values
        )
        resolved = None
        if root_plan is not None and root_plan is not UNFIT:
            data, resolved = await root_plan.answer(context_value, root_value, variable_values)
            if data is not MISS:
                return ExecutionResult(data=data, errors=None, extensions={})
        token = RESOLVED.set(resolved)
        try:
            result = await await_maybe(graphql_execute(
                self.schema,
                prepared.document,
                root_value=root_value,
                context_value=context_value,
                variable_values=variable_values,
                operation_name=prepared.operation_name,
                is_awaitable=optimized_is_awaitable,
                executor_class=execution_context_class,
                operation_extensions=operation_extensions,
            ))  # fmt: skip
        except Exception as error:  # noqa: BLE001 - answered as Strawberry answers it
            wrapped = error if isinstance(error, GraphQLError) else GraphQLError(
                str(error), original_error=error
            )  # fmt: skip
            return ExecutionResult(data=None, errors=finish_errors([wrapped]), extensions={})
        finally:
            RESOLVED.reset(token)
        errors = finish_errors(result.errors) if result.errors else result.errors
        return ExecutionResult(data=result.data, errors=errors, extensions={})

    def _root_plan(
        self,
        prepared: Prepared,
        execution_context_class: type[Any],
        context_value: Any,
        variable_values: dict[str, Any] | None,
    ) -> RootPlan | Any:
        """The prepared query's root plan for this request's variables (compiled when none
        is), UNFIT, or None."""

        def compiled() -> RootPlan | Any:
            try:
                return compile_root_plan(
                    self.strawberry_schema, prepared.document, prepared.operation_name,
                    execution_context_class, context_value, variable_values,
                )  # fmt: skip
            except GraphQLError:
                # Collecting the fields refused these variables' values (a directive's `if`
                # given null): the executor reports that as a request error, as it always did.
                return UNFIT

        if not prepared.selecting:
            if prepared.root_plan is None:
                prepared.root_plan = compiled()
            return prepared.root_plan
        # The request's own values as the key: they coerce alike every time.
        key = selection_key(prepared.selecting, variable_values or {})
        if key is None:
            return UNFIT
        plan = prepared.by_selection.recall(key)
        if plan is None:
            plan = compiled()
            if plan is not None:
                prepared.by_selection.remember(key, plan)
        return plan


def finishing(
    process_errors: Callable[[list[GraphQLError]], None],
    mask: Callable[[GraphQLError], GraphQLError],
) -> Callable[[list[GraphQLError]], list[GraphQLError]]:
    """What Strawberry's path does to a result's errors, in its order: the schema's
    `process_errors`, the limits' hiding of suggestions, then masking."""

    def finish(errors: list[GraphQLError]) -> list[GraphQLError]:
        process_errors(errors)
        if not get_config().introspection:
            hide_suggestions(errors)
        return [mask(error) for error in errors]

    return finish


def _operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    """The operation Strawberry runs: the one named, or else the first."""
    if operation_name is None:
        return get_first_operation(document)
    return next(
        (definition for definition in document.definitions
         if isinstance(definition, OperationDefinitionNode)
         and definition.name and definition.name.value == operation_name),
        None,
    )  # fmt: skip


def _name(operation: OperationDefinitionNode) -> str | None:
    return operation.name.value if operation.name else None
