"""What one GraphQL operation may ask for: tokens, depth, aliases, cost; introspection.

One Strawberry schema extension (passed to the Schema as a class), reading the active
configuration, so a process configured with other limits gets them without a rebuild.

Tokens bound the parser. Everything else is measured at execution start (schema/cost.py), on
the operation that runs and once graphql-core's own validation has passed. Not as validation
rules: those see every operation of the document, and run in one visitor beside the rules
that catch unknown fragments and cycles, so a limit's rule meets the documents they reject
(Strawberry's depth rule answered `{ me { ...Nope } }` with its KeyError, "'Nope'").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, ValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from config import Config, get_config
from schema.cost import Measure, introspection_budget, measure_request
from schema.input_errors import VALIDATION_RULES


class LimitExceeded(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "QUERY_TOO_COMPLEX"})


@lru_cache(maxsize=2)
def request_rules(introspection: bool) -> tuple[type[ValidationRule], ...]:
    """Every rule a request's document is validated with: graphql-core's, with
    ValuesOfCorrectType saying no literal (schema/input_errors.py), and without introspection
    the rule that refuses it. Built once per setting, so Strawberry's ValidationCache (keyed
    by the rules) hits."""
    return VALIDATION_RULES + (() if introspection else (NoSchemaIntrospectionCustomRule,))


class QueryLimits(SchemaExtension):
    """Every limit in one extension (each extension costs every request a few hooks).

    Without introspection, no "Did you mean ...": it would leak the schema one name at a
    time.
    """

    def on_operation(self) -> Iterator[None]:
        config = get_config()
        context = self.execution_context
        context.parse_options["max_tokens"] = config.max_query_tokens
        context.validation_rules = request_rules(config.introspection)
        yield
        if not config.introspection:
            errors = list(context.pre_execution_errors or [])
            if context.result is not None and getattr(context.result, "errors", None):
                errors += context.result.errors
            hide_suggestions(errors)

    def on_execute(self) -> Iterator[None]:
        # Strawberry runs this only for a document that passed validation.
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            refused = refusal(
                context.schema._schema, document, context.operation_name, context.variables
            )
            if refused is not None:
                raise LimitExceeded(refused)
        yield


def refusal(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> str | None:
    """Why a valid operation with these variables exceeds a limit, or None when it does not."""
    measured = measure_request(schema, document, operation_name, variables)
    return None if measured is None else _refusal(measured, get_config(), schema)


def _refusal(measured: Measure, config: Config, schema: GraphQLSchema) -> str | None:
    if measured.depth > config.max_query_depth:
        name = measured.operation_name or "anonymous"
        return f"'{name}' exceeds maximum operation depth of {config.max_query_depth}"
    if measured.aliases > config.max_aliases:
        return f"{measured.aliases} aliases found. Allowed: {config.max_aliases}"
    for root, count in measured.introspection_roots.items():
        if count > 1:
            return f"{count} {root} selections found. Allowed: 1"
    if measured.cost > config.max_query_cost:
        return f"Query cost {measured.cost} exceeds the maximum of {config.max_query_cost}."
    budget = introspection_budget(schema) if measured.introspection_cost else 0
    if measured.introspection_cost > budget:
        return f"Introspection cost {measured.introspection_cost} exceeds the maximum of {budget}."
    return None


_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def hide_suggestions(errors: list[GraphQLError]) -> None:
    for error in errors:
        error.message = _SUGGESTION.sub("", error.message)
