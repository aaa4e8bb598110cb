"""The schema is the frontend teams' documentation: every type, field, argument, enum value and
input field says what it is in its own words, and every field guarded by a policy row ends its
description with who may call it, generated from the table (issue 13, part 3 and part 6)."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    is_introspection_type,
    is_specified_scalar_type,
)

from permissions.rules import Op
from permissions.who_may_call import who_may_call
from schema import schema
from schema.who_may_call import guarded_fields, guarding_ops
from tests.graphql_client import GraphQLClient

SERVED = schema._schema
HOW = {
    "type": "@strawberry.type/input/interface/enum(description=...) or strawberry.union(..., "
    "description=...)",
    "field": "strawberry.field(description=...) or @strawberry.field/mutation(description=...)",
    "argument": "Annotated[..., strawberry.argument(description=...)]",
    "enum value": "schema/enums.py: the value's words",
    "input field": "strawberry.field(description=...)",
}


def _own_words(description: str | None, ops: list[Op]) -> str:
    """The description without the generated who-may-call sentences."""
    text = (description or "").strip()
    return text.removesuffix(" ".join(who_may_call(op) for op in ops)).strip()


def undescribed(served: GraphQLSchema) -> list[str]:
    missing: list[str] = []
    for name, named in served.type_map.items():
        if is_introspection_type(named) or is_specified_scalar_type(named):
            continue
        if not (named.description or "").strip():
            missing.append(f"type {name}")
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not _own_words(field.description, guarding_ops(field)):
                    missing.append(f"field {name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not (arg.description or "").strip():
                        missing.append(f"argument {name}.{field_name}({arg_name})")
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, field in named.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"input field {name}.{field_name}")
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if not (value.description or "").strip():
                    missing.append(f"enum value {name}.{value_name}")
    return missing


def test_every_type_field_argument_enum_value_and_input_field_is_described():
    missing = undescribed(SERVED)
    kinds = dict.fromkeys(line.rsplit(" ", 1)[0] for line in missing)
    how = "\n".join(f"  {kind}: {HOW[kind]}" for kind in kinds)
    assert missing == [], (
        f"{len(missing)} schema elements lack a description (what it is, units, what null "
        f"means):\n" + "\n".join(missing) + f"\nHow:\n{how}"
    )


def test_every_guarded_field_ends_its_description_with_who_may_call_it():
    guarded = guarded_fields(SERVED)
    assert ("Query", "users") in guarded and ("User", "ownedProjects") in guarded
    for (type_name, field_name), ops in guarded.items():
        description = SERVED.type_map[type_name].fields[field_name].description  # type: ignore[attr-defined]
        assert description.endswith(" ".join(who_may_call(op) for op in ops)), (
            type_name,
            field_name,
        )


def test_every_permission_on_a_field_names_its_policy_row():
    """A permission class without an `op` would guard a field that says nothing of it."""
    unnamed = []
    for type_name, named in SERVED.type_map.items():
        for field_name, field in getattr(named, "fields", {}).items():
            definition = (field.extensions or {}).get("strawberry-definition")
            for extension in getattr(definition, "extensions", None) or ():
                for permission in getattr(extension, "permissions", ()):
                    if not isinstance(getattr(permission, "op", None), Op):
                        unnamed.append(f"{type_name}.{field_name}: {type(permission).__name__}")
    assert unnamed == [], "give these permission classes (permissions/graphql.py) an `op`"


def test_who_may_call_is_the_policy_row_in_words():
    assert who_may_call(Op.AUDIT_LOG) == (
        "Who may call (AUDIT_LOG): admins: their tenant; superusers: every tenant. "
        "An API token acts as its owner."
    )
    assert who_may_call(Op.MANAGE_INVITATIONS).startswith(
        "Who may call (MANAGE_INVITATIONS): members: own (owned or sent by them); admins:"
    )
    assert who_may_call(Op.SIGN_IN) == (
        "Who may call (SIGN_IN): anyone, signed in or not. Not with an API token."
    )
    assert who_may_call(Op.OWN_SESSIONS).startswith("Who may call (OWN_SESSIONS): everyone")


def test_every_policy_row_has_its_sentence():
    assert all(who_may_call(op).startswith(f"Who may call ({op.name}): ") for op in Op)


async def test_introspection_tells_a_client_who_may_call_a_field(gql: GraphQLClient):
    answer = await gql('{ __type(name: "Mutation") { fields { name description } } }')
    fields = {f["name"]: f["description"] for f in answer.ok()["__type"]["fields"]}
    assert fields["createApiToken"].endswith(
        "Who may call (CREATE_API_TOKEN): members, admins and superusers: self. "
        "Not with an API token."
    )
