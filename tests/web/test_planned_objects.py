"""Objects whose whole selection is plain fields are answered by a plan in one pass
(schema/execution.py; issue 7: speed), and answer exactly what the general path answers:
the same data, the same key order, the same errors at the same paths."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import strawberry
from strawberry.extensions import ParserCache, SchemaExtension

from schema.execution import ExecutionContext, GeneralExecutionContext
from schema.plans import PROVEN_WITH, installed_versions, unproven


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Person(Named):
    nickname: str | None
    age: int


@strawberry.type
class Team:
    title: str
    lead: Person | None
    members: list[Person]
    maybe_members: list[Person | None] | None


@strawberry.type
class Edge:
    cursor: str
    node: Team


@strawberry.type
class Connection:
    edges: list[Edge]


@strawberry.type
class Robot:
    serial: str


class Failing:
    """A row whose attribute raises when read."""

    name = "failing"
    age = 1

    @property
    def nickname(self) -> str:
        raise RuntimeError("the attribute broke")


def person(name: str, nickname: str | None = None, age: int = 30) -> Person:
    return Person(name=name, nickname=nickname, age=age)


def team(title: str, **overrides: Any) -> Team:
    values: dict[str, Any] = {
        "title": title,
        "lead": person(f"{title}-lead"),
        "members": [person(f"{title}-1", "one"), person(f"{title}-2")],
        "maybe_members": [person(f"{title}-3"), None],
    }
    return Team(**{**values, **overrides})


def page(*nodes: Team | None) -> Connection:
    return Connection(edges=[Edge(cursor=f"c{i}", node=node) for i, node in enumerate(nodes)])  # type: ignore[arg-type]


PAGES: dict[str, Connection] = {
    "plain": page(team("red"), team("blue")),
    "no lead": page(team("red", lead=None)),
    "no list": page(team("red", maybe_members=None)),
    # Values the schema forbids: the general path reports each with its path.
    "null member": page(team("red", members=[person("a"), None])),
    "null node": page(team("red"), None),
    "raising attribute": page(team("red", members=[Failing()])),
    "wrong scalar": page(team("red", members=[person("a", age="old")])),  # type: ignore[arg-type]
    "not a list": page(team("red", members=person("a"))),
}


@strawberry.type
class Query:
    @strawberry.field
    def page(self, kind: str) -> Connection:
        return PAGES[kind]

    @strawberry.field
    def everyone(self) -> list[Named]:
        return [person("a"), person("b", "bee")]

    @strawberry.field
    def anything(self) -> list[Person | Robot]:  # type: ignore[valid-type]
        return [person("a"), Robot(serial="r2")]


DOCUMENTS = [
    "{ page(kind: $kind) { edges { cursor node { title lead { name age } "
    "members { name nickname age } } } } }",
    "{ page(kind: $kind) { __typename edges { __typename node { maybeMembers { name } "
    "lead { __typename nickname } } } } }",
    "{ page(kind: $kind) { edges { c: cursor n: node { t: title "
    "m: members { a: age n: name } } } } }",
    "{ page(kind: $kind) { edges { node { ...T members { ... on Person { age } } } } } } "
    "fragment T on Team { title members { name } }",
    "{ page(kind: $kind) { edges { node { title @skip(if: true) "
    "lead @include(if: false) { name } members { name } } } } }",
]


def answer(result: Any) -> tuple[str, list[tuple[str, Any]]]:
    # As JSON text: the keys' order (the selection's order) must match too.
    errors = sorted((e.message, e.path) for e in result.errors or [])
    return json.dumps(result.data), errors


def with_kind(document: str, kind: str) -> str:
    return document.replace("$kind", json.dumps(kind))


GENERAL = strawberry.Schema(query=Query)
# With the parser cache, as the app has it: every run of a document gets the same AST nodes,
# so plans made for one request serve the next (schema/execution.py, shared plans).
PLANNED = strawberry.Schema(
    query=Query,
    execution_context_class=ExecutionContext,
    extensions=[lambda: ParserCache(maxsize=64)],
)


@pytest.mark.parametrize("kind", list(PAGES))
@pytest.mark.parametrize("document", DOCUMENTS)
async def test_a_planned_page_answers_as_the_general_executor_does(
    kind: str, document: str
) -> None:
    query = with_kind(document, kind)

    expected = answer(await GENERAL.execute(query))

    assert answer(await PLANNED.execute(query)) == expected


async def test_interfaces_and_unions_answer_as_the_general_executor_does() -> None:
    for query in (
        "{ everyone { __typename name ... on Person { age } } }",
        "{ anything { __typename ... on Person { name } ... on Robot { serial } } }",
    ):
        assert answer(await PLANNED.execute(query)) == answer(await GENERAL.execute(query))


class CountsGeneralFields(ExecutionContext):
    executed: list[str] = []

    def execute_field(
        self, parent_type: Any, source: Any, field_details_list: Any, *rest: Any
    ) -> Any:
        CountsGeneralFields.executed.append(field_details_list[0].node.name.value)
        return super().execute_field(parent_type, source, field_details_list, *rest)


async def test_only_the_root_field_of_a_plain_page_takes_the_general_path() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=CountsGeneralFields)
    CountsGeneralFields.executed = []

    result = await schema.execute(with_kind(DOCUMENTS[0], "plain"))

    assert result.errors is None
    assert CountsGeneralFields.executed == ["page"]


async def test_a_page_with_a_null_where_forbidden_is_answered_by_the_general_path() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=CountsGeneralFields)
    CountsGeneralFields.executed = []

    result = await schema.execute(with_kind(DOCUMENTS[0], "null member"))

    assert [e.path for e in result.errors or []] == [["page", "edges", 0, "node", "members", 1]]
    assert "members" in CountsGeneralFields.executed


async def test_a_document_run_again_reuses_its_plans_and_answers_for_its_own_data() -> None:
    document = with_kind(DOCUMENTS[0], "plain")
    first = answer(await PLANNED.execute(document))
    PAGES["plain"].edges[0].node.title = "renamed"
    try:
        again = answer(await PLANNED.execute(document))
        assert again == answer(await GENERAL.execute(document))
        assert again != first
    finally:
        PAGES["plain"].edges[0].node.title = "red"


async def test_an_include_that_depends_on_a_variable_is_planned_for_each_value() -> None:
    document = (
        'query($lead: Boolean!) { page(kind: "plain") { edges { node { title '
        "lead @include(if: $lead) { name } } } } }"
    )
    for lead in (True, False, True):
        planned = await PLANNED.execute(document, variable_values={"lead": lead})
        general = await GENERAL.execute(document, variable_values={"lead": lead})
        assert answer(planned) == answer(general)
        assert ("lead" in planned.data["page"]["edges"][0]["node"]) is lead


async def test_variables_in_arguments_only_still_answer_for_each_request() -> None:
    document = (
        "query($kind: String!) { page(kind: $kind) { edges { node { title lead { name } } } } }"
    )
    for kind in ("plain", "no lead", "plain"):
        planned = await PLANNED.execute(document, variable_values={"kind": kind})
        general = await GENERAL.execute(document, variable_values={"kind": kind})
        assert answer(planned) == answer(general)


async def test_a_skip_inside_a_fragment_that_depends_on_a_variable_is_planned_for_each_value():
    document = (
        'query($skip: Boolean!) { page(kind: "plain") { edges { node { ...T } } } } '
        "fragment T on Team { title lead @skip(if: $skip) { name } }"
    )
    for skip in (False, True, False):
        planned = await PLANNED.execute(document, variable_values={"skip": skip})
        general = await GENERAL.execute(document, variable_values={"skip": skip})
        assert answer(planned) == answer(general)
        assert ("lead" in planned.data["page"]["edges"][0]["node"]) is not skip


class FragmentArguments(SchemaExtension):
    """graphql-core's experimental parser option: fragments that declare variables, spreads
    that pass them (`...T(s: true)`). Strawberry never turns it on; an extension could."""

    def on_parse(self) -> Iterator[None]:
        self.execution_context.parse_options["experimental_fragment_arguments"] = True
        yield


# One fragment, spread twice with different arguments: the same field nodes select
# differently at each spread.
SPREAD_TWICE = (
    '{ a: page(kind: "plain") { edges { node { ...T(s: true) } } } '
    'b: page(kind: "plain") { edges { node { ...T(s: false) } } } } '
    "fragment T($s: Boolean!) on Team { lead { name @skip(if: $s) age } }"
)


async def test_a_fragment_spread_with_other_arguments_selects_as_the_general_executor_does():
    general = strawberry.Schema(query=Query, extensions=[FragmentArguments])
    planned = strawberry.Schema(
        query=Query, execution_context_class=ExecutionContext, extensions=[FragmentArguments]
    )

    expected = answer(await general.execute(SPREAD_TWICE))

    assert "name" in json.loads(expected[0])["b"]["edges"][0]["node"]["lead"]
    assert answer(await planned.execute(SPREAD_TWICE)) == expected


async def test_a_document_whose_fragments_take_arguments_is_not_planned() -> None:
    schema = strawberry.Schema(
        query=Query, execution_context_class=CountsGeneralFields, extensions=[FragmentArguments]
    )
    CountsGeneralFields.executed = []

    await schema.execute(SPREAD_TWICE)

    assert CountsGeneralFields.executed.count("lead") == 4  # two pages of two teams


class CountsFields(GeneralExecutionContext):
    executed: list[str] = []

    def execute_field(
        self, parent_type: Any, source: Any, field_details_list: Any, *rest: Any
    ) -> Any:
        CountsFields.executed.append(field_details_list[0].node.name.value)
        return super().execute_field(parent_type, source, field_details_list, *rest)


async def test_without_shortcuts_every_field_takes_the_general_path() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=CountsFields)
    CountsFields.executed = []

    result = await schema.execute('{ page(kind: "plain") { edges { cursor } } }')

    assert result.errors is None
    assert CountsFields.executed == ["page", "edges", "cursor", "cursor"]


def test_shortcuts_run_only_with_the_library_versions_they_were_proven_with() -> None:
    assert ExecutionContext.shortcuts is not bool(unproven(installed_versions()))
    assert unproven({**PROVEN_WITH, "graphql-core": "3.3.3"}) == {"graphql-core": "3.3.3"}
    assert unproven({"strawberry-graphql": PROVEN_WITH["strawberry-graphql"]}) == {
        "graphql-core": None
    }


def test_the_installed_and_pinned_libraries_are_the_ones_the_shortcuts_were_proven_with():
    """An upgrade changes all three together, after tests/web/test_differential.py passes
    with many examples (TENANTRY_DIFFERENTIAL_EXAMPLES=9000)."""
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    pins = dict(
        match.groups()
        for requirement in project["project"]["dependencies"]
        if (match := re.fullmatch(r"([a-z-]+)==([0-9.]+)", requirement))
    )

    assert {name: pins.get(name) for name in PROVEN_WITH} == PROVEN_WITH
    assert installed_versions() == PROVEN_WITH
