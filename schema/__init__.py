"""The GraphQL schema: roots, extensions, error masking."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache

from schema.execution import ExecutionContext
from schema.limits import QueryLimits
from schema.mutation import Mutation
from schema.query import Query

log = logging.getLogger("tenantry.graphql")


def should_mask_error(error: GraphQLError) -> bool:
    """Mask unexpected exceptions only; log them with their stack first."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    log.error("unexpected error in %s", error.path, exc_info=original)
    return True


def _mask_errors() -> MaskErrors:
    return MaskErrors(should_mask_error=should_mask_error)


def build_schema(
    execution_context_class: type[ExecutionContext] = ExecutionContext,
) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
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


schema = build_schema()
