"""A page of edges kept as its rows (schema/types/row_nodes.py RowEdges) is answered by a plan
straight from the rows (schema/plans.py row_form) exactly as the same plan answers the edges
and nodes the rows make; whatever the rows cannot answer, the made edges answer."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLObjectType

from models import Role, User
from models.plain_rows import plain_values
from schema import schema
from schema.plans import (
    MISS,
    UNCHANGED,
    Preloaded,
    Step,
    complete_leaf,
    complete_list,
    complete_object,
    preloaded_step_reader,
    row_form,
    type_name,
)
from schema.types.row_nodes import RowEdges, edges
from schema.types.users import ROW_COLUMNS, UserEdge
from schema.types.users import User as UserNode
from tests.factories import Factory

TYPES = schema._schema.type_map
USER: GraphQLObjectType = TYPES["User"]  # type: ignore[assignment]
EDGE: GraphQLObjectType = TYPES["UserEdge"]  # type: ignore[assignment]


def leaf(name: str, attribute: str, type_name_: str, *, nullable: bool = True) -> Step:
    inner = TYPES[type_name_]
    return Step(name, getattr, attribute, nullable, UNCHANGED.get(type_name_),
                complete_leaf(inner))  # type: ignore[arg-type] # fmt: skip


NODE_STEPS = [
    Step("__typename", type_name("User"), "", False, str, lambda value: value),
    leaf("id", "id", "ID", nullable=False),
    leaf("name", "username", "String", nullable=False),
    leaf("email", "email", "String", nullable=False),
    leaf("role", "role", "Role", nullable=False),
    leaf("createdAt", "created_at", "DateTime", nullable=False),
    leaf("status", "status", "UserStatus", nullable=False),
    leaf("externalId", "external_id", "String"),
]


def edge_plan(node_steps: list[Step]) -> Any:
    node = complete_object(USER, node_steps)
    return complete_object(EDGE, [
        Step("cursor", getattr, "cursor", False, str, complete_leaf(TYPES["String"])),  # type: ignore[arg-type]
        Step("node", getattr, "node", False, None, node),
        Step("kind", type_name("UserEdge"), "", False, str, lambda value: value),
    ])  # fmt: skip


async def page_of(make: Factory, count: int = 3) -> RowEdges[UserEdge]:
    tenant = await make.tenant()
    await make.user_with_every_field_set(tenant)
    for _ in range(count - 1):
        await make.user(tenant)
    rows = await plain_values(User.filter(tenant_id=tenant.id).order_by("username_key"),
                              ROW_COLUMNS)  # fmt: skip
    return UserNode.edges_from_rows(UserEdge, rows, [f"c{i}" for i in range(len(rows))])


async def test_a_page_answered_from_its_rows_is_the_answer_of_the_edges_it_makes(
    make: Factory,
) -> None:
    page = await page_of(make)
    edge = edge_plan(NODE_STEPS)

    from_rows = row_form(edge, page)
    made = [edge(item) for item in edges(UserEdge, UserNode.from_rows(page.rows), page.cursors)]

    assert from_rows is not None
    assert from_rows(page.rows, page.cursors) == made
    assert MISS not in made


async def test_a_list_of_edges_still_as_rows_is_answered_without_making_them(
    make: Factory,
) -> None:
    page = await page_of(make)
    answer = complete_list(edge_plan(NODE_STEPS), False)(page)

    assert answer == [edge_plan(NODE_STEPS)(item) for item in list(page)]
    assert [item["node"]["name"] for item in answer] == [row["username"] for row in page.rows]


async def test_a_read_that_is_not_a_nodes_plain_field_makes_the_edges(make: Factory) -> None:
    page = await page_of(make)
    preloaded = Step("tenantName", preloaded_step_reader(Preloaded(lambda node: node.username)),
                     "", False, str, complete_leaf(TYPES["String"]))  # type: ignore[arg-type] # fmt: skip
    edge = edge_plan([*NODE_STEPS, preloaded])

    assert row_form(edge, page) is None
    answer = complete_list(edge, False)(page)
    assert [item["node"]["tenantName"] for item in answer] == [row["username"] for row in page.rows]


async def test_a_null_where_the_type_forbids_it_leaves_the_page_to_the_general_path(
    make: Factory,
) -> None:
    page = await page_of(make)
    rows = [{**row, "email": None} for row in page.rows]
    nulls = UserNode.edges_from_rows(UserEdge, rows, page.cursors)

    assert complete_list(edge_plan(NODE_STEPS), False)(nulls) is MISS


def test_no_rows_answer_an_empty_list() -> None:
    empty = UserNode.edges_from_rows(UserEdge, [], [])

    assert complete_list(edge_plan(NODE_STEPS), False)(empty) == []
    assert list(empty) == []


async def test_edges_kept_as_rows_are_made_once_and_equal_the_edges_their_rows_make(
    make: Factory,
) -> None:
    page = await page_of(make)

    assert len(page) == 3
    assert page._edges is None  # counted without making them
    assert page == edges(UserEdge, UserNode.from_rows(page.rows), page.cursors)
    assert page[0] is list(page)[0]
    assert page.nodes == [item.node for item in page]


def test_rows_without_a_cursor_each_are_refused() -> None:
    with pytest.raises(ValueError, match="a cursor for each row"):
        UserNode.edges_from_rows(UserEdge, [{"id": 1}], [])


async def test_a_stored_enum_value_no_member_has_leaves_the_page_to_the_general_path(
    make: Factory,
) -> None:
    page = await page_of(make)
    rows = [{**row, "role": "emperor"} for row in page.rows]
    unknown = UserNode.edges_from_rows(UserEdge, rows, page.cursors)

    assert complete_list(edge_plan(NODE_STEPS), False)(unknown) is MISS


async def test_an_enum_column_holding_members_or_stored_values_is_answered_alike(
    make: Factory,
) -> None:
    page = await page_of(make)
    stored = [{**row, "role": getattr(row["role"], "value", row["role"])} for row in page.rows]
    members = [{**row, "role": Role(row["role"])} for row in stored]
    edge = edge_plan(NODE_STEPS)

    answers = [
        complete_list(edge, False)(UserNode.edges_from_rows(UserEdge, rows, page.cursors))
        for rows in (stored, members)
    ]
    assert answers[0] == answers[1]
    assert {item["node"]["role"] for item in answers[0]} <= {"ADMIN", "MEMBER", "GUEST"}
