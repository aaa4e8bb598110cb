"""A plan's object completion is Python written for its steps (schema/plans.py): it answers
what the steps say, in their order, and gives up (MISS) wherever the general path must answer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLString

from models import Role
from schema import schema
from schema.enums import AuthMethod, UserStatus
from schema.plans import MISS, Step, complete_leaf, complete_object
from schema.types.projects import Project as ProjectNode
from schema.types.users import User as UserNode

PLAIN = GraphQLObjectType("Plain", {"x": GraphQLString})


def step(name: str, attribute: str | None = None, *, read: Any = getattr,
         nullable: bool = True) -> Step:  # fmt: skip
    return Step(name, read, attribute or name, nullable, str, lambda value: f"<{value}>")


def test_an_object_whose_selection_is_empty_completes_to_an_empty_answer() -> None:
    assert complete_object(PLAIN, [])(SimpleNamespace()) == {}


def test_the_answer_holds_the_steps_in_their_order() -> None:
    complete = complete_object(PLAIN, [step("b"), step("a"), step("c")])
    answer = complete(SimpleNamespace(a="1", b="2", c="3"))
    assert list(answer.items()) == [("b", "2"), ("a", "1"), ("c", "3")]


def test_a_value_of_another_type_is_completed() -> None:
    assert complete_object(PLAIN, [step("n")])(SimpleNamespace(n=7)) == {"n": "<7>"}


def test_an_attribute_python_cannot_name_is_read_through_the_reader() -> None:
    complete = complete_object(PLAIN, [step("from", "from"), step("odd", "odd-name")])
    source = SimpleNamespace(**{"from": "x", "odd-name": "y"})
    assert complete(source) == {"from": "x", "odd": "y"}


def test_a_readers_exception_leaves_the_object_to_the_general_path() -> None:
    def failing(_source: Any, _attribute: str) -> Any:
        raise RuntimeError("boom")

    assert (
        complete_object(PLAIN, [step("a"), step("b", read=failing)])(SimpleNamespace(a="")) is MISS
    )


def test_a_missing_attribute_leaves_the_object_to_the_general_path() -> None:
    assert complete_object(PLAIN, [step("a")])(SimpleNamespace()) is MISS


def test_a_null_where_the_type_forbids_it_leaves_the_object_to_the_general_path() -> None:
    complete = complete_object(PLAIN, [step("a", nullable=False)])
    assert complete(SimpleNamespace(a=None)) is MISS
    assert complete_object(PLAIN, [step("a")])(SimpleNamespace(a=None)) == {"a": None}


def test_a_value_the_reader_did_not_read_leaves_the_object_to_the_general_path() -> None:
    assert complete_object(PLAIN, [step("a", read=lambda _s, _a: MISS)])(SimpleNamespace()) is MISS


def test_an_object_its_type_does_not_accept_is_left_to_the_general_path() -> None:
    def only_ints(value: Any, _info: Any) -> bool:
        return isinstance(value, int)

    ints = GraphQLObjectType("Ints", {"x": GraphQLString}, is_type_of=only_ints)
    assert complete_object(ints, [])(SimpleNamespace()) is MISS


def test_enum_members_and_datetimes_are_completed_as_their_leaf_completes_them() -> None:
    moment, role = schema._schema.type_map["DateTime"], schema._schema.type_map["Role"]
    steps = [Step("at", getattr, "at", True, None, complete_leaf(moment)),
             Step("role", getattr, "role", True, None, complete_leaf(role))]  # fmt: skip
    source = SimpleNamespace(at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), role=Role.GUEST)
    assert (
        complete_object(PLAIN, steps)(source)
        == {
            "at": complete_leaf(moment)(source.at),
            "role": complete_leaf(role)(source.role),
        }
        == {"at": "2026-01-02T03:04:05.000006+00:00", "role": "GUEST"}
    )


def _user_node() -> UserNode:
    return UserNode(
        id=strawberry.ID("1"), username="ann", email="ann@example.com", role=Role.ADMIN,
        auth_method=AuthMethod.PASSWORD, superuser=False, created_at=datetime.now(UTC),
        last_login_at=None, status=UserStatus.ACTIVE, pending_email=None, external_id=None,
        pk=uuid.uuid4(), tenant_id=uuid.uuid4(),
    )  # fmt: skip


def test_an_instance_of_the_types_own_class_is_accepted_as_strawberrys_is_type_of_does() -> None:
    user_type = schema._schema.type_map["User"]
    node = _user_node()

    assert user_type.is_type_of(node, None) is True
    assert complete_object(user_type, [step("username")])(node) == {"username": "ann"}


def test_an_instance_cast_to_another_type_is_left_to_strawberrys_is_type_of() -> None:
    user_type = schema._schema.type_map["User"]
    node = strawberry.cast(ProjectNode, _user_node())

    assert user_type.is_type_of(node, None) is False
    assert complete_object(user_type, [step("username")])(node) is MISS
