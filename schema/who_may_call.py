"""What the served schema tells clients beyond the code's own descriptions, set once when the
schema is built, so introspection and schema.graphql (printed from the served schema) say the
same:

- each field guarded by a policy row ends its description with that row in words
  (permissions/who_may_call.py);
- `@deprecated(reason:)` is declared as every released client tool (graphql-js 16, Relay)
  declares it itself, `String`: graphql-core's `String!` (a later draft of the spec) made
  `graphql-inspector diff schema.graphql <introspection>` report a breaking change.
"""

from __future__ import annotations

from copy import copy

from graphql import (
    GraphQLDeprecatedDirective,
    GraphQLDirective,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
)
from strawberry.permission import PermissionExtension

from permissions.rules import Op
from permissions.who_may_call import who_may_call

STRAWBERRY_DEFINITION = "strawberry-definition"  # GraphQLCoreConverter.DEFINITION_BACKREF


def _nullable_reason() -> GraphQLDirective:
    reason = copy(GraphQLDeprecatedDirective.args["reason"])  # its description and default
    reason.type = GraphQLString
    return GraphQLDirective(
        name=GraphQLDeprecatedDirective.name,
        locations=GraphQLDeprecatedDirective.locations,
        args={"reason": reason},
        description=GraphQLDeprecatedDirective.description,
    )


DeprecatedDirective = _nullable_reason()


def guarding_ops(field: GraphQLField) -> list[Op]:
    """The policy rows checked before the field runs (its permission classes' `op`)."""
    definition = (field.extensions or {}).get(STRAWBERRY_DEFINITION)
    ops: list[Op] = []
    for extension in getattr(definition, "extensions", None) or ():
        if isinstance(extension, PermissionExtension):
            ops += [p.op for p in extension.permissions if isinstance(getattr(p, "op", None), Op)]
    return list(dict.fromkeys(ops))


def guarded_fields(schema: GraphQLSchema) -> dict[tuple[str, str], list[Op]]:
    """(type name, field name) -> its policy rows, for every guarded field."""
    found: dict[tuple[str, str], list[Op]] = {}
    for type_name, named in schema.type_map.items():
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                ops = guarding_ops(field)
                if ops:
                    found[(type_name, field_name)] = ops
    return found


def publish(schema: GraphQLSchema) -> None:
    """Write who may call each guarded field into its description, and declare @deprecated."""
    for (type_name, field_name), ops in guarded_fields(schema).items():
        field = schema.type_map[type_name].fields[field_name]  # type: ignore[attr-defined]
        sentences = " ".join(who_may_call(op) for op in ops)
        description = (field.description or "").rstrip()
        if not description.endswith(sentences):
            field.description = f"{description}\n\n{sentences}" if description else sentences
    schema.directives = tuple(
        DeprecatedDirective if d.name == DeprecatedDirective.name else d for d in schema.directives
    )
