"""The schema follows Relay's specifications uniformly, for the types there are now and those
added later: every object with an ID is a Node that `node(id:)` can fetch, every connection
pages both ways and counts, and the contract's Relay part is all there."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    build_schema,
    get_named_type,
)
from strawberry.types.base import get_object_definition

from resolvers.nodes import NODE_TYPES
from schema import schema

GRAPHQL_SCHEMA = schema._schema
ROOT = Path(__file__).resolve().parent.parent.parent
CONTRACT = ROOT.parent / "shared" / "contract"
OBJECT_TYPES = [
    type_
    for type_ in GRAPHQL_SCHEMA.type_map.values()
    if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__")
]


def test_every_object_type_with_an_id_implements_node():
    with_id = {
        t.name for t in OBJECT_TYPES if "id" in t.fields and str(t.fields["id"].type) == "ID!"
    }
    nodes = {t.name for t in OBJECT_TYPES if "Node" in {i.name for i in t.interfaces}}
    assert with_id == nodes


def test_every_node_type_can_be_fetched_by_node():
    node = GRAPHQL_SCHEMA.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    implementing = {t.name for t in GRAPHQL_SCHEMA.get_possible_types(node)}
    registered = set()
    for make_node in NODE_TYPES.values():
        definition = get_object_definition(make_node.__self__, strict=True)  # type: ignore[attr-defined]
        registered.add(definition.name)
    assert registered == implementing


CONNECTION_FIELDS = [
    (parent.name, name)
    for parent in OBJECT_TYPES
    for name, field in parent.fields.items()
    if get_named_type(field.type).name.endswith("Connection")
]


def test_the_schema_has_connections():
    assert ("Query", "users") in CONNECTION_FIELDS and len(CONNECTION_FIELDS) >= 4


@pytest.mark.parametrize(("parent", "name"), CONNECTION_FIELDS)
def test_every_connection_pages_both_ways_and_counts(parent: str, name: str):
    field = GRAPHQL_SCHEMA.get_type(parent).fields[name]  # type: ignore[union-attr]
    arguments = {arg: str(value.type) for arg, value in field.args.items()}
    assert {k: arguments.get(k) for k in ("first", "after", "last", "before")} == {
        "first": "Int", "after": "String", "last": "Int", "before": "String",
    }  # fmt: skip
    connection = get_named_type(field.type)
    fields = {key: str(value.type) for key, value in connection.fields.items()}  # type: ignore[union-attr]
    assert fields["pageInfo"] == "PageInfo!" and fields["totalCount"] == "Int!"
    assert isinstance(connection.fields["edges"].type, GraphQLNonNull)  # type: ignore[union-attr]


def _relay_part(contract: str) -> str:
    start = contract.index(
        "# ---------------------------------------------------------------- Relay"
    )
    end = contract.index(
        "# ----------------------------------------------------------------", start + 10
    )
    return contract[start:end]


@pytest.mark.skipif(not CONTRACT.exists(), reason="the shared contract is not beside the repo")
def test_the_schema_holds_the_relay_part_of_the_second_contract():
    base = (CONTRACT / "contract.graphql").read_text()
    relay = _relay_part((CONTRACT / "contract-v2.graphql").read_text())
    roots = "extend type Query { node(id: ID!): Node\n nodes(ids: [ID!]!): [Node]! }"
    contract = build_schema(base + relay + roots)
    ours = build_schema((ROOT / "schema.graphql").read_text())
    problems = []
    for name, expected in contract.type_map.items():
        if name.startswith("__") or not isinstance(
            expected, GraphQLObjectType | GraphQLInterfaceType
        ):
            continue
        actual = ours.get_type(name)
        assert isinstance(actual, GraphQLObjectType | GraphQLInterfaceType), name
        problems += [f"{name} lacks {i.name}" for i in expected.interfaces
                     if i.name not in {j.name for j in actual.interfaces}]  # fmt: skip
        for field_name, field in expected.fields.items():
            mine = actual.fields.get(field_name)
            if mine is None or str(mine.type) != str(field.type):
                problems.append(f"{name}.{field_name}")
    assert problems == []
