"""`tenantry export-schema`: schema.graphql is the served schema as graphql-core prints it, so
it says what introspection says (tests/schema_tools/ check it against a running server).
Types and directives go in name order, as before, so that a change shows as a small diff."""

from __future__ import annotations

from graphql import (
    GraphQLSchema,
    is_introspection_type,
    is_specified_directive,
    is_specified_scalar_type,
)
from graphql.utilities.print_schema import print_directive, print_schema_definition, print_type

from schema import schema


def print_sdl(served: GraphQLSchema) -> str:
    """graphql-core's `print_schema`, in name order: the same text for the served schema and
    for one built from its introspection."""
    directives = sorted(
        (d for d in served.directives if not is_specified_directive(d)), key=lambda d: d.name
    )
    types = sorted(
        (
            t
            for t in served.type_map.values()
            if not is_specified_scalar_type(t) and not is_introspection_type(t)
        ),
        key=lambda t: t.name,
    )
    parts = [print_schema_definition(served), *map(print_directive, directives)]
    return "\n\n".join(filter(None, [*parts, *map(print_type, types)]))


def export_schema() -> str:
    return print_sdl(schema._schema) + "\n"
