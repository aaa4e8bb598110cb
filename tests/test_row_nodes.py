"""A page's nodes made from its rows (schema/types/row_nodes.py) are the objects the types'
constructors make, from Tortoise's dicts and from asyncpg's records alike, whatever columns
the page reads."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from models import Project, User
from models.plain_rows import plain_values, plain_values_among
from schema.loaders import PROJECT_COLUMNS
from schema.types.projects import Project as ProjectNode
from schema.types.row_nodes import RowNodes
from schema.types.users import ROW_COLUMNS, row_columns
from schema.types.users import User as UserNode
from tests.factories import Factory


async def test_users_from_every_column_are_the_objects_their_constructor_makes(
    make: Factory,
) -> None:
    member = await make.user_with_every_field_set(await make.tenant())
    rows = await plain_values(User.filter(id=member.id), ROW_COLUMNS)

    [node] = UserNode.from_rows(rows)

    assert vars(node) == vars(UserNode.from_model(member))


async def test_users_from_some_columns_fill_those_fields_and_leave_the_rest_none(
    make: Factory,
) -> None:
    member = await make.user_with_every_field_set(await make.tenant())
    rows = await plain_values(User.filter(id=member.id), row_columns({"username", "status"}))

    [node] = UserNode.from_rows(rows)

    whole = vars(UserNode.from_model(member))
    kept = {"id", "pk", "tenant_id", "username", "status"}
    assert vars(node) == {name: whole[name] if name in kept else None for name in whole}


async def test_users_from_dicts_are_the_users_from_the_databases_rows(make: Factory) -> None:
    member = await make.user_with_every_field_set(await make.tenant())
    rows = await plain_values(User.filter(id=member.id), ROW_COLUMNS)

    assert UserNode.from_rows([dict(row) for row in rows]) == UserNode.from_rows(rows)


async def test_projects_from_their_rows_are_the_objects_their_constructor_makes(
    make: Factory,
) -> None:
    tenant = await make.tenant()
    owner = await make.user(tenant)
    projects = [await make.project(owner, name) for name in ("b", "a")]

    rows = await plain_values_among(Project, PROJECT_COLUMNS, "owner_id", [owner.id],
                                    order_by=("name_key", "id"))  # fmt: skip
    nodes = ProjectNode.from_rows(rows)

    assert [vars(n) for n in nodes] == [vars(ProjectNode.from_model(p)) for p in projects[::-1]]


def test_no_rows_make_no_nodes() -> None:
    assert UserNode.from_rows([]) == []


def test_a_field_the_type_does_not_have_is_refused_when_the_maker_is_made() -> None:
    @dataclass
    class Point:
        x: int

    with pytest.raises(TypeError, match="no fields"):
        RowNodes(Point, {"y": "y"})


async def test_users_from_rows_holding_stored_enum_values_have_their_members(
    make: Factory,
) -> None:
    member = await make.user_with_every_field_set(await make.tenant())
    [row] = await plain_values(User.filter(id=member.id), ROW_COLUMNS)
    stored = {**dict(row), "role": row["role"].value, "auth_method": row["auth_method"].value}

    [node] = UserNode.from_rows([stored])

    assert vars(node) == vars(UserNode.from_model(member))
    assert node.role is member.role
