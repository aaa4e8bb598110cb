"""The GraphQL schema: roots, extensions, error masking and error hygiene."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache
from strawberry.types import ExecutionContext as StrawberryExecutionContext
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from models.availability import is_database_unavailable
from schema.execution import ExecutionContext
from schema.input_errors import without_token_value
from schema.limits import QueryLimits
from schema.mutation import Mutation
from schema.prepared import PREPARED_DOCUMENTS, PreparedQueries, finishing
from schema.query import Query
from schema.subscription import Subscription
from schema.who_may_call import publish

log = logging.getLogger("tenantry.graphql")


def should_mask_error(error: GraphQLError) -> bool:
    """Mask unexpected exceptions only; log them with their stack first."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    if is_database_unavailable(original):
        # Not an error of ours: the endpoint answers the request 503 and logs the outage once
        # (web/outage.py).
        return False
    log.error("unexpected error in %s", error.path, exc_info=original)
    return True


def _mask_errors() -> MaskErrors:
    return MaskErrors(should_mask_error=should_mask_error)


class Schema(strawberry.Schema):
    _prepared: PreparedQueries | None = None
    _finish_errors: Callable[[list[GraphQLError]], list[GraphQLError]]

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: StrawberryExecutionContext | None = None,
    ) -> None:
        """Strawberry logs every error here, with its stack and the document's text. Most are
        expected (FORBIDDEN, NOT_FOUND, a bad cursor, a mistyped input): anyone could fill the
        log with them, and with what their messages and documents hold. The unexpected ones are
        logged once, by `should_mask_error`; here syntax errors lose the token they quote."""
        for error in errors:
            without_token_value(error)

    async def execute(  # type: ignore[override]
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        # A query this process has prepared skips Strawberry's pipeline (schema/prepared.py).
        # With the executor's shortcuts off (the differential test's reference, or unproven
        # library versions), every request takes Strawberry's path.
        prepared = self._prepared.find(query, operation_name) if self._prepared else None
        if prepared is not None and (
            allowed_operation_types is None or OperationType.QUERY in allowed_operation_types
        ):
            result = await self._prepared.execute(  # type: ignore[union-attr]
                prepared,
                variable_values=variable_values,
                context_value=context_value,
                root_value=root_value,
                operation_extensions=operation_extensions,
                execution_context_class=self.execution_context_class,  # type: ignore[arg-type]
                finish_errors=self._finish_errors,
            )
            if result is not None:
                return result
        return await super().execute(
            query, variable_values, context_value, root_value, operation_name,
            allowed_operation_types, operation_extensions,
        )  # fmt: skip


def _masked(error: GraphQLError) -> GraphQLError:
    return _MASK.anonymise_error(error) if should_mask_error(error) else error


_MASK = _mask_errors()


def build_schema(
    execution_context_class: type[ExecutionContext] = ExecutionContext,
    query: type = Query,
) -> strawberry.Schema:
    built = Schema(
        query=query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            _mask_errors,
            # Limits first: they set the parser's token limit and add validation rules.
            QueryLimits,
            # Caches shared by every request (module-level LRU keyed by maxsize).
            lambda: ParserCache(maxsize=PREPARED_DOCUMENTS),
            lambda: ValidationCache(maxsize=PREPARED_DOCUMENTS),
        ],
        # Plain scalar fields skip the executor's general path: see schema/execution.py.
        execution_context_class=execution_context_class,
    )
    # Once, before any request: introspection and schema.graphql then say who may call what.
    publish(built._schema)
    if execution_context_class.shortcuts:
        # What Strawberry's path does to errors, with the extensions above: see `execute`.
        built._prepared = PreparedQueries(built)
        built._finish_errors = finishing(built.process_errors, _masked)
    return built


schema = build_schema()
