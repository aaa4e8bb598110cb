"""The GraphQL schema: roots, extensions, error masking and error hygiene."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache
from strawberry.types import ExecutionContext as StrawberryExecutionContext

from models.availability import is_database_unavailable
from schema.execution import ExecutionContext
from schema.input_errors import VALIDATION_RULES, without_token_value
from schema.limits import QueryLimits
from schema.mutation import Mutation
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

    def _create_execution_context(self, *args: Any, **kwargs: Any) -> StrawberryExecutionContext:
        context = super()._create_execution_context(*args, **kwargs)
        # graphql-core's rules, with ValuesOfCorrectType saying no literal (schema/input_errors.py).
        context.validation_rules = VALIDATION_RULES
        return context


def build_schema(
    execution_context_class: type[ExecutionContext] = ExecutionContext,
) -> strawberry.Schema:
    built = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            _mask_errors,
            # Limits first: they set the parser's token limit and add validation rules.
            QueryLimits,
            # Caches shared by every request (module-level LRU keyed by maxsize).
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
        ],
        # Plain scalar fields skip the executor's general path: see schema/execution.py.
        execution_context_class=execution_context_class,
    )
    # Once, before any request: introspection and schema.graphql then say who may call what.
    publish(built._schema)
    return built


schema = build_schema()
