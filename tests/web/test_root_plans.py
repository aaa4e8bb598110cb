"""A prepared query whose root fields and selections are all planned is answered without
graphql-core's executor (schema/root_plans.py); whatever the plan cannot answer plainly, the
executor answers as it always did, completing a root field the plan already resolved instead
of resolving it again. tests/web/test_differential.py proves the answers byte-equal to
graphql-core's general path on generated documents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient

from config import Config
from domain import users
from tests.counting_executor import CountsExecutedFields, counting_client
from tests.factories import Cast
from tests.sql_counter import counting_sql

PAGE = "query Page($n: Int) { users(first: $n) { edges { node { id username role } } } }"
NESTED = "query { users(first: 100) { edges { node { username ownedProjects { name } } } } }"


@pytest.fixture
async def counting(app: object, config: Config) -> AsyncIterator[AsyncClient]:
    async with counting_client(config) as client:
        yield client


async def ask(
    client: AsyncClient, caller: Any, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    CountsExecutedFields.executed.clear()
    headers = {"Authorization": f"Bearer {caller.token}"} if caller else {}
    body = {"query": query, "variables": variables or {}}
    response = await client.post("/graphql", json=body, headers=headers)
    return response.json()  # type: ignore[no-any-return]


async def test_a_planned_query_runs_no_field_through_the_executor(
    counting: AsyncClient, cast: Cast
) -> None:
    answer = await ask(counting, cast.admin_a, PAGE, {"n": 2})

    assert "errors" not in answer
    assert len(answer["data"]["users"]["edges"]) == 2
    assert CountsExecutedFields.executed == []


async def test_root_typename_and_aliases_are_answered_by_the_plan(
    counting: AsyncClient, cast: Cast
) -> None:
    query = "{ __typename a: users(first: 1) { edges { node { id } } } me { username } }"

    answer = await ask(counting, cast.admin_a, query)

    assert answer["data"]["__typename"] == "Query"
    assert list(answer["data"]) == ["__typename", "a", "me"]
    assert answer["data"]["me"] == {"username": "alice"}
    assert CountsExecutedFields.executed == []


async def test_a_refused_caller_gets_the_executors_own_error(
    counting: AsyncClient, cast: Cast
) -> None:
    answer = await ask(counting, cast.guest_a, PAGE, {"n": 2})

    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert CountsExecutedFields.executed == ["users"]


async def test_an_anonymous_caller_is_asked_to_sign_in_by_the_executor(
    counting: AsyncClient,
) -> None:
    answer = await ask(counting, None, PAGE, {"n": 2})

    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_variables_that_do_not_fit_get_the_executors_own_error(
    counting: AsyncClient, cast: Cast
) -> None:
    answer = await ask(counting, cast.admin_a, PAGE, {"n": "many"})

    assert "data" not in answer or answer["data"] is None
    assert "$n" in answer["errors"][0]["message"]
    assert "many" not in answer["errors"][0]["message"]


async def test_a_resolvers_error_is_reported_by_the_executor(
    counting: AsyncClient, cast: Cast
) -> None:
    query = 'query { users(first: 2, after: "not a cursor") { edges { cursor } } }'

    answer = await ask(counting, cast.admin_a, query)

    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert answer["errors"][0]["path"] == ["users"]


async def test_a_resolver_that_raised_is_reported_without_running_it_again(
    counting: AsyncClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A resolver may count what it was asked (rate limits): it runs once per request.
    calls = []
    real = users.users_in_reach_unfiltered

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(users, "users_in_reach_unfiltered", counted)
    query = 'query { users(first: 2, after: "not a cursor") { edges { cursor } } }'

    answer = await ask(counting, cast.admin_a, query)

    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(calls) == 1


async def test_a_page_the_plan_gives_up_on_is_completed_without_being_read_again(
    counting: AsyncClient, cast: Cast
) -> None:
    # A member may not see the others' projects: those nodes need the executor's errors.
    with counting_sql() as sql:
        answer = await ask(counting, cast.member_a, NESTED)

    assert {error["extensions"]["code"] for error in answer["errors"]} == {"FORBIDDEN"}
    assert CountsExecutedFields.executed.count("users") == 1
    assert len(sql.statements) == 3, sql.statements  # session, page, projects: once each


async def test_introspection_is_left_to_the_executor(counting: AsyncClient, cast: Cast) -> None:
    answer = await ask(counting, cast.admin_a, "{ __schema { queryType { name } } }")

    assert answer["data"]["__schema"]["queryType"]["name"] == "Query"
    assert "__schema" in CountsExecutedFields.executed


async def test_each_requests_variables_give_its_own_arguments(
    counting: AsyncClient, cast: Cast
) -> None:
    query = (
        "query Page($n: Int, $role: Role) { users(first: $n, role: $role) "
        "{ edges { node { role } } } }"
    )
    asked = [({"n": 1}, 1), ({"n": 3}, 3), ({"n": 1}, 1), ({"n": 9, "role": "GUEST"}, None)]

    for variables, size in asked:
        answer = await ask(counting, cast.admin_a, query, variables)
        edges = answer["data"]["users"]["edges"]
        if size is not None:
            assert len(edges) == size
        else:
            assert edges and {edge["node"]["role"] for edge in edges} == {"GUEST"}


async def test_a_query_whose_directives_take_variables_has_a_plan_for_each_of_their_values(
    counting: AsyncClient, cast: Cast
) -> None:
    query = (
        "query Q($full: Boolean!) { users(first: 1) { edges { node { username "
        "email @include(if: $full) tenant @skip(if: $full) { name } } } } }"
    )
    answers = []
    for full in (True, False, True, False):
        answer = await ask(counting, cast.admin_a, query, {"full": full})
        assert CountsExecutedFields.executed == []
        answers.append(answer["data"]["users"]["edges"][0]["node"])

    assert answers[0] == answers[2] == {"username": "alice", "email": "alice@acme.example.com"}
    assert answers[1] == answers[3] == {"username": "alice", "tenant": {"name": "acme"}}


async def test_a_directive_given_null_through_a_variable_gets_the_executors_own_error(
    counting: AsyncClient, cast: Cast
) -> None:
    query = "query Q($full: Boolean = true) { me { username email @include(if: $full) } }"

    answer = await ask(counting, cast.admin_a, query, {"full": None})

    assert answer["data"] == {"me": None}
    assert "null" in answer["errors"][0]["message"]
