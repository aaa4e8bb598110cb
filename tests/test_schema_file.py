"""schema.graphql is generated, and the contract's names are all in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
)

from schema.export import export_schema

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT.parent / "shared" / "contract" / "contract.graphql"


def test_schema_graphql_is_what_export_schema_prints():
    assert (ROOT / "schema.graphql").read_text() == export_schema(), (
        "schema.graphql is stale: run `make schema`"
    )


def _contract_differences(contract: GraphQLSchema, ours: GraphQLSchema) -> list[str]:
    problems: list[str] = []
    for name, expected in contract.type_map.items():
        if name.startswith("__"):
            continue
        actual = ours.type_map.get(name)
        if actual is None:
            problems.append(f"missing type {name}")
            continue
        if type(actual) is not type(expected):
            problems.append(f"{name} is a {type(actual).__name__}, not {type(expected).__name__}")
            continue
        if isinstance(expected, GraphQLEnumType):
            missing = set(expected.values) - set(actual.values)  # type: ignore[attr-defined]
            problems += [f"missing enum value {name}.{v}" for v in sorted(missing)]
        elif isinstance(expected, GraphQLUnionType):
            have = {t.name for t in actual.types}  # type: ignore[attr-defined]
            problems += [
                f"union {name} lacks {t.name}" for t in expected.types if t.name not in have
            ]
        elif isinstance(
            expected, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)
        ):
            for field_name, field in expected.fields.items():
                mine = actual.fields.get(field_name)  # type: ignore[attr-defined]
                if mine is None:
                    problems.append(f"missing field {name}.{field_name}")
                    continue
                if str(mine.type) != str(field.type):
                    problems.append(f"{name}.{field_name} is {mine.type}, not {field.type}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    my_arg = mine.args.get(arg_name)
                    if my_arg is None or str(my_arg.type) != str(arg.type):
                        problems.append(f"{name}.{field_name}({arg_name}: {arg.type}) differs")
            if isinstance(expected, (GraphQLObjectType, GraphQLInterfaceType)):
                have = {i.name for i in actual.interfaces}  # type: ignore[attr-defined]
                problems += [
                    f"{name} does not implement {i.name}"
                    for i in expected.interfaces
                    if i.name not in have
                ]
    return problems


@pytest.mark.skipif(not CONTRACT.exists(), reason="the shared contract is not beside the repo")
def test_schema_holds_every_name_and_type_of_the_contract():
    contract = build_schema(CONTRACT.read_text())
    ours = build_schema((ROOT / "schema.graphql").read_text())
    assert _contract_differences(contract, ours) == []
