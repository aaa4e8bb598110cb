"""The GraphQL schema: roots, extensions, error masking."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

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


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=[_mask_errors])


schema = build_schema()
