"""The cost limit counts what graphql-core will execute (issue 11), and the limits never stand
in for graphql-core's own validation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from graphql import get_introspection_query, parse, print_ast, validate
from httpx import AsyncClient

from schema import schema
from tests.factories import Cast, Factory
from tests.other_settings import ClientFactory
from tests.web.test_limits import ask, messages

EDGE_FIELDS = 3  # edges, node, id: what each row costs in `{ edges { node { id } } }`
TEN_PAGES = (
    "query($n: Int = 1) { "
    + " ".join(f"p{i}: users(first: $n) {{ edges {{ node {{ id }} }} }}" for i in range(10))
    + " }"
)


async def ten_users_in_acme(make: Factory, cast: Cast) -> None:
    for _ in range(6):  # the cast has four
        await make.user(cast.tenant_a)


def answered_fields(value: Any) -> int:
    if isinstance(value, dict):
        return sum(1 + answered_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(answered_fields(v) for v in value)
    return 0


@pytest.mark.parametrize(
    ("n", "rows"), [(None, 50), (100.0, 100)], ids=["null", "a float that is an integer"]
)
async def test_a_page_size_variable_is_counted_as_graphql_core_coerces_it(
    client_with: ClientFactory, make: Factory, cast: Cast, n: float | None, rows: int
) -> None:
    # The variable's default (1) is not what the resolvers see: a null replaces it (and the
    # resolver pages 50), 100.0 coerces to 100. Ten such pages answer all ten users each.
    await ten_users_in_acme(make, cast)
    async with client_with(max_query_cost=100) as client:
        refused = await ask(client, TEN_PAGES, {"n": n}, token=cast.admin_a.token)
        one_row_pages = await ask(client, TEN_PAGES, {"n": 1}, token=cast.admin_a.token)
    async with client_with(max_query_cost=10_000) as client:
        answered = await ask(client, TEN_PAGES, {"n": n}, token=cast.admin_a.token)
    assert refused.status_code == 400
    cost = 10 * (1 + rows * EDGE_FIELDS)
    assert messages(refused) == [f"Query cost {cost} exceeds the maximum of 100."]
    assert one_row_pages.status_code == 200
    # What counting them as one-row pages (cost 40) let through:
    assert answered_fields(answered.json()["data"]) > 100


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ users(first: null) { edges { node { id } } } }", None),
        ("query($n: Int) { users(first: $n) { edges { node { id } } } }", {}),
        ("query($n: Int) { users(first: $n) { edges { node { id } } } }", {"n": None}),
        ("{ users { edges { node { id } } } }", None),
    ],
    ids=["a null literal", "an unsent variable", "a null variable", "no first"],
)
async def test_a_page_without_a_size_is_counted_as_the_resolvers_default_page(
    client_with: ClientFactory, cast: Cast, query: str, variables: dict | None
) -> None:
    cost = 1 + 50 * EDGE_FIELDS
    async with client_with(max_query_cost=cost) as client:
        allowed = await ask(client, query, variables, token=cast.admin_a.token)
    async with client_with(max_query_cost=cost - 1) as client:
        refused = await ask(client, query, variables, token=cast.admin_a.token)
    assert allowed.status_code == 200, allowed.json()
    assert messages(refused) == [f"Query cost {cost} exceeds the maximum of {cost - 1}."]


async def test_the_default_page_follows_a_smaller_page_limit(
    client_with: ClientFactory, cast: Cast
) -> None:
    query = "{ users(first: null) { edges { node { id } } } }"
    async with client_with(max_page_size=20, max_query_cost=60) as client:
        refused = await ask(client, query, token=cast.admin_a.token)
    assert messages(refused) == ["Query cost 61 exceeds the maximum of 60."]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (TEN_PAGES, {"n": None}),
        (TEN_PAGES, {"n": 100.0}),
        (TEN_PAGES, {"n": 3}),
        (TEN_PAGES, {}),
        ("{ ...Q } fragment Q on Query { users(first: null) { edges { node { id } } } }", None),
        (
            "query($yes: Boolean!) { users @include(if: $yes) { edges { node { id } } } }",
            {"yes": True},
        ),
        (
            "query($n: Int) { users(first: $n) { edges { node { id username "
            "ownedProjects { id } } } } }",
            {"n": None},
        ),
    ],
    ids=["null", "float", "three", "default", "fragment", "include", "nested"],
)
async def test_the_cost_is_never_below_the_fields_the_answer_holds(
    client_with: ClientFactory, make: Factory, cast: Cast, query: str, variables: dict | None
) -> None:
    await ten_users_in_acme(make, cast)
    async with client_with(max_query_cost=100_000) as client:
        response = await ask(client, query, variables, token=cast.admin_a.token)
    async with client_with(max_query_cost=1) as client:
        refused = await ask(client, query, variables, token=cast.admin_a.token)
    assert response.status_code == 200, response.json()
    (cost,) = re.fullmatch(
        r"Query cost (\d+) exceeds the maximum of 1\.", messages(refused)[0]
    ).groups()  # type: ignore[union-attr]
    assert answered_fields(response.json()["data"]) <= int(cost)


async def test_fields_that_skip_leaves_out_cost_nothing(client_with: ClientFactory, cast) -> None:
    query = (
        "query($no: Boolean!) { me { id } "
        "users(first: 100) @include(if: $no) { edges { node { id } } } }"
    )
    async with client_with(max_query_cost=2) as client:
        response = await ask(client, query, {"no": False}, token=cast.admin_a.token)
    assert response.status_code == 200, response.json()
    assert response.json()["data"] == {"me": {"id": cast.admin_a.id}}


async def test_a_page_the_resolver_refuses_is_not_counted_as_its_size(
    client_with: ClientFactory, cast: Cast
) -> None:
    async with client_with(max_query_cost=10) as client:
        response = await ask(
            client, "{ users(first: 5000) { edges { node { id } } } }", token=cast.admin_a.token
        )
    assert messages(response) == ["`first` must be between 0 and 100."]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ users(last: 100) { edges { node { id } } } }", None),
        ("query($n: Int) { users(last: $n) { edges { node { id } } } }", {"n": 100}),
        ("query($n: Int) { users(first: null, last: $n) { edges { node { id } } } }", {"n": 100}),
    ],
    ids=["a literal", "a variable", "beside a null first"],
)
async def test_a_backward_page_is_counted_by_last_like_a_forward_one_by_first(
    client_with: ClientFactory, cast: Cast, query: str, variables: dict | None
) -> None:
    # Not as the 50 rows of `first`'s default, which a backward page ignores.
    cost = 1 + 100 * EDGE_FIELDS
    async with client_with(max_query_cost=cost - 1) as client:
        refused = await ask(client, query, variables, token=cast.admin_a.token)
    async with client_with(max_query_cost=cost) as client:
        allowed = await ask(client, query, variables, token=cast.admin_a.token)
    assert messages(refused) == [f"Query cost {cost} exceeds the maximum of {cost - 1}."]
    assert allowed.status_code == 200, allowed.json()


async def test_nodes_is_counted_by_the_ids_it_looks_up(
    client_with: ClientFactory, cast: Cast
) -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    ids = [cast.admin_a.id] * 40
    async with client_with(max_query_cost=40) as client:
        refused = await ask(client, query, {"ids": ids}, token=cast.admin_a.token)
        allowed = await ask(client, query, {"ids": ids[:39]}, token=cast.admin_a.token)
    assert messages(refused) == ["Query cost 41 exceeds the maximum of 40."]
    assert allowed.status_code == 200, allowed.json()


# --- introspection -------------------------------------------------------------------------


def aliased_introspection(copies: int, root: str = "__schema", field: str = "") -> str:
    """The standard introspection query with `root` (or, given `field`, that field of it)
    selected `copies` times under aliases."""
    operation, *fragments = parse(get_introspection_query()).definitions
    (schema_field,) = operation.selection_set.selections  # type: ignore[attr-defined]
    if field:
        (chosen,) = (f for f in schema_field.selection_set.selections if f.name.value == field)
        others = [print_ast(f) for f in schema_field.selection_set.selections if f is not chosen]
        copied = " ".join(f"a{i}: {print_ast(chosen)}" for i in range(copies))
        selection = f"__schema {{ {' '.join(others)} {copied} }}"
    else:
        selection = " ".join(f"a{i}: {print_ast(schema_field)}" for i in range(copies))
    return "query { " + selection + " } " + " ".join(print_ast(f) for f in fragments)


async def test_the_full_introspection_query_runs_with_any_cost_limit(
    client_with: ClientFactory,
) -> None:
    async with client_with(max_query_cost=1) as client:
        response = await ask(client, get_introspection_query())
    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_the_full_introspection_query_aliased_thirty_times_is_refused(
    http: AsyncClient,
) -> None:
    response = await ask(http, aliased_introspection(30))
    assert response.status_code == 400
    assert messages(response) == ["30 __schema selections found. Allowed: 1"]
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_two_type_introspections_in_one_operation_are_refused(http: AsyncClient) -> None:
    query = '{ a: __type(name: "User") { name } b: __type(name: "Project") { name } }'
    response = await ask(http, query)
    assert messages(response) == ["2 __type selections found. Allowed: 1"]


async def test_introspection_nested_past_the_standard_query_is_refused(http: AsyncClient) -> None:
    # Two levels of `fields` pass graphql-core's own introspection depth rule; each field's
    # args and type references multiply.
    type_ref = "type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"
    field = f"name args {{ name {type_ref} }} {type_ref}"
    nested = f"type {{ ofType {{ fields {{ {field} }} }} }}"
    query = f'{{ __type(name: "Mutation") {{ fields {{ {field} {nested} }} }} }}'
    response = await ask(http, query)
    assert response.status_code == 400
    assert messages(response)[0].startswith("Introspection cost ")


async def test_introspection_lists_aliased_within_one_schema_selection_are_refused(
    http: AsyncClient,
) -> None:
    response = await ask(http, aliased_introspection(2, field="types"))
    assert response.status_code == 400
    assert messages(response)[0].startswith("Introspection cost ")


# --- the limits leave invalid documents to graphql-core ------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "{ me { ...Nope } }",
        "{ me { ...A } } fragment A on User { ...B } fragment B on User { ...A }",
        "{ me { ...F } } fragment F on Nope { id }",
        "{ me { ...F } } fragment F on Project { id }",
        "{ me { ...F } } fragment F on User { ...F }",
        "{ users { edges { node { ...Nope } } } }",
    ],
    ids=["unknown", "cycle", "unknown type", "wrong type", "self", "nested unknown"],
)
async def test_an_invalid_fragment_gets_graphql_cores_own_message(
    http: AsyncClient, query: str
) -> None:
    response = await ask(http, query)
    expected = [error.message for error in validate(schema._schema, parse(query))]
    assert response.status_code == 400
    assert expected
    assert messages(response) == expected


# --- limits count the operation that runs --------------------------------------------------


async def run(client: AsyncClient, document: str, operation: str, token: str = ""):
    headers = {"accept": "application/graphql-response+json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    body = {"query": document, "operationName": operation}
    return await client.post("/graphql", json=body, headers=headers)


def aliased_me(count: int, prefix: str) -> str:
    return " ".join(f"{prefix}{i}: me {{ id }}" for i in range(count))


async def test_aliases_of_another_operation_in_the_document_are_not_counted(
    http: AsyncClient, cast: Cast
) -> None:
    document = (
        f"query A {{ {aliased_me(20, 'a')} }} query B {{ {aliased_me(20, 'b')} }} "
        "query C { ...Many } fragment Many on Query { " + aliased_me(31, "c") + " }"
    )
    ran = await run(http, document, "B", cast.admin_a.token)
    refused = await run(http, document, "C", cast.admin_a.token)
    assert ran.status_code == 200, ran.json()
    assert len(ran.json()["data"]) == 20
    assert refused.status_code == 400
    assert messages(refused) == ["31 aliases found. Allowed: 30"]


async def test_aliases_in_a_spread_fragment_are_counted(http: AsyncClient) -> None:
    query = "{ ...Many } fragment Many on Query { " + aliased_me(31, "m") + " }"
    response = await ask(http, query)
    assert messages(response) == ["31 aliases found. Allowed: 30"]


async def test_depth_counts_the_operation_that_runs(client_with: ClientFactory, cast: Cast) -> None:
    deep = "query Deep { users { edges { node { ownedProjects { owner { tenant { name } } } } } } }"
    document = f"{deep} query Shallow {{ me {{ id }} }}"
    async with client_with(max_query_depth=5) as client:
        shallow = await run(client, document, "Shallow", cast.admin_a.token)
        refused = await run(client, document, "Deep", cast.admin_a.token)
    assert shallow.status_code == 200, shallow.json()
    assert refused.status_code == 400
    assert messages(refused) == ["'Deep' exceeds maximum operation depth of 5"]
