"""The request path's shortcuts (issue 7: speed) answer exactly what the general path answers."""

from __future__ import annotations

import enum
import json
from typing import Any

import strawberry
from strawberry.extensions import ParserCache, SchemaExtension

from models.enums import Role
from resolvers.preload import selected_node_fields
from schema.execution import ExecutionContext
from tests.factories import Factory
from tests.graphql_client import GraphQLClient
from tests.web.test_no_n_plus_one import StatementCounter, sql  # noqa: F401 - the fixture


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Row:
    name: str
    nickname: str | None
    count: int
    colour: Colour
    broken: str  # holds None: a non-null violation
    bad_number: int  # holds a string: a coercion failure


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[Row]:
        return [
            Row(name="a", nickname=None, count=1, colour=Colour.RED, broken="ok", bad_number=2),
            Row(
                name="b",
                nickname="bee",
                count=2,
                colour=Colour.BLUE,
                broken=None,  # type: ignore[arg-type]
                bad_number="x",
            ),  # type: ignore[arg-type]  # fmt: skip
        ]


DOCUMENT = "{ rows { name nickname count colour broken badNumber __typename } }"


def _answer(result: Any) -> tuple[str, list[tuple[str, Any]]]:
    # As JSON text: the keys' order (the selection's order) must match too.
    errors = sorted((e.message, e.path) for e in result.errors or [])
    return json.dumps(result.data), errors


async def test_plain_scalar_fields_answer_as_the_general_executor_does() -> None:
    general = strawberry.Schema(query=Query)
    shortcut = strawberry.Schema(query=Query, execution_context_class=ExecutionContext)

    for document in (
        DOCUMENT,
        "{ rows { name nickname count colour } }",
        "{ rows { colour name count } }",
        "{ rows { count __typename name } }",
    ):
        expected = _answer(await general.execute(document))
        assert _answer(await shortcut.execute(document)) == expected


async def test_a_non_null_field_holding_null_still_fails_with_its_path() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=ExecutionContext)

    result = await schema.execute("{ rows { name broken } }")

    assert result.data is None
    assert [e.path for e in result.errors or []] == [["rows", 1, "broken"]]


class SeesEveryField(SchemaExtension):
    seen: list[str] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        SeesEveryField.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


async def test_an_extension_that_wraps_resolvers_still_sees_plain_scalar_fields() -> None:
    schema = strawberry.Schema(
        query=Query, extensions=[SeesEveryField], execution_context_class=ExecutionContext
    )
    SeesEveryField.seen = []

    await schema.execute("{ rows { name count } }")

    assert SeesEveryField.seen.count("name") == 2
    assert SeesEveryField.seen.count("count") == 2


@strawberry.type
class Node:
    id: strawberry.ID
    name: str


@strawberry.type
class Edge:
    node: Node


@strawberry.type
class Connection:
    edges: list[Edge]
    total: int


selected: dict[str, frozenset[str]] = {}


@strawberry.type
class SelectionQuery:
    @strawberry.field
    def page(self, info: strawberry.Info) -> Connection:
        selected["nodes"] = selected_node_fields(info, "edges", "node")
        selected["top"] = selected_node_fields(info)
        return Connection(edges=[Edge(node=Node(id=strawberry.ID("1"), name="n"))], total=1)


async def test_a_list_resolver_sees_the_fields_selected_under_its_nodes() -> None:
    schema = strawberry.Schema(query=SelectionQuery)

    result = await schema.execute(
        "{ page { total edges { node { id ...N } } } } fragment N on Node { name }"
    )

    assert result.errors is None
    assert selected == {"nodes": {"id", "name"}, "top": {"total", "edges"}}


PAGE_WITH_COUNT = "{ users(first: 2) { totalCount edges { node { username } } } }"
PAGE_WITHOUT_COUNT = "{ users(first: 2) { edges { node { username } } } }"


def _counts(counter: StatementCounter) -> list[str]:
    return [s for s in counter.statements if "count(" in s.lower()]


async def test_a_users_page_counts_only_when_total_count_is_asked_for(
    gql: GraphQLClient,
    make: Factory,
    sql: StatementCounter,  # noqa: F811
) -> None:
    tenant = await make.tenant()
    admin = await make.person(tenant, role=Role.ADMIN)
    for _ in range(3):
        await make.user(tenant)

    sql.statements.clear()
    counted = (await gql(PAGE_WITH_COUNT, as_=admin)).ok()["users"]
    with_count = _counts(sql)
    sql.statements.clear()
    (await gql(PAGE_WITHOUT_COUNT, as_=admin)).ok()

    assert counted["totalCount"] == 4
    assert len(counted["edges"]) == 2
    assert len(with_count) == 1
    assert _counts(sql) == []


async def test_the_requests_of_a_document_share_its_selection_and_others_see_their_own() -> None:
    schema = strawberry.Schema(query=SelectionQuery, extensions=[ParserCache])
    documents = [
        ("{ page { edges { node { id } } } }", {"id"}),
        ("{ page { edges { node { name } } } }", {"name"}),
        ("{ page { edges { node { id } } } }", {"id"}),
        ("{ page { edges { node { ...N } } } } fragment N on Node { id name }", {"id", "name"}),
    ]
    for query, names in documents:
        result = await schema.execute(query)

        assert result.errors is None
        assert selected["nodes"] == names
