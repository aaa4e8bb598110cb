"""Limits on what one document may ask for, each configurable."""

from __future__ import annotations

from httpx import AsyncClient

from tests.other_settings import ClientFactory

NEW = "application/graphql-response+json"


async def ask(client: AsyncClient, query: str, variables: dict | None = None, token: str = ""):
    headers = {"accept": NEW}
    if token:
        headers["authorization"] = f"Bearer {token}"
    body: dict = {"query": query}
    if variables is not None:
        body["variables"] = variables
    return await client.post("/graphql", json=body, headers=headers)


def messages(response) -> list[str]:
    return [e["message"] for e in response.json().get("errors", [])]


DEEP = "{ users { edges { node { ownedProjects { owner { tenant { name } } } } } } }"


async def test_a_document_deeper_than_the_limit_is_refused(client_with: ClientFactory) -> None:
    async with client_with(max_query_depth=5) as client:
        response = await ask(client, DEEP)
    assert response.status_code == 400
    assert any("exceeds maximum operation depth" in m for m in messages(response))


async def test_a_document_within_the_depth_limit_runs(client_with: ClientFactory, cast) -> None:
    async with client_with(max_query_depth=7) as client:
        response = await ask(client, DEEP, token=cast.admin_a.token)
    assert response.status_code == 200, response.json()
    assert not response.json().get("errors")


async def test_the_introspection_query_is_not_counted_as_deep(http: AsyncClient) -> None:
    from graphql import get_introspection_query

    response = await ask(http, get_introspection_query())
    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_more_aliases_than_the_limit_are_refused(client_with: ClientFactory) -> None:
    query = "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(4)) + " }"
    async with client_with(max_aliases=3) as client:
        response = await ask(client, query)
    assert response.status_code == 400
    assert messages(response) == ["4 aliases found. Allowed: 3"]


async def test_aliased_logins_beyond_the_alias_limit_never_run(http: AsyncClient, cast) -> None:
    login = 'l{i}: login(input: {{tenant: "acme", username: "alice", password: "guess{i}"}}) '
    query = "mutation { " + "".join(login.format(i=i) + "{ __typename } " for i in range(31)) + "}"
    response = await ask(http, query)
    assert response.status_code == 400
    assert messages(response) == ["31 aliases found. Allowed: 30"]


async def test_a_document_with_more_tokens_than_the_limit_is_refused(
    client_with: ClientFactory,
) -> None:
    query = "{ me { " + " ".join(["id"] * 60) + " } }"
    async with client_with(max_query_tokens=50) as client:
        response = await ask(client, query)
    assert response.status_code == 400
    assert any("more than 50 tokens" in m for m in messages(response))


async def test_list_fields_cost_by_their_first_argument(client_with: ClientFactory, cast) -> None:
    # 1 (users) + 20 x (1 edges + 1 node + 1 id) = 61
    query = "{ users(first: 20) { edges { node { id } } } }"
    async with client_with(max_query_cost=60) as client:
        refused = await ask(client, query, token=cast.admin_a.token)
    async with client_with(max_query_cost=61) as client:
        allowed = await ask(client, query, token=cast.admin_a.token)
    assert refused.status_code == 400
    assert messages(refused) == ["Query cost 61 exceeds the maximum of 60."]
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert allowed.status_code == 200
    assert not allowed.json().get("errors")


async def test_the_cost_reads_first_from_variables(client_with: ClientFactory, cast) -> None:
    query = "query($n: Int) { users(first: $n) { edges { node { id } } } }"
    async with client_with(max_query_cost=60) as client:
        small = await ask(client, query, {"n": 5}, token=cast.admin_a.token)
        large = await ask(client, query, {"n": 100}, token=cast.admin_a.token)
    assert small.status_code == 200
    assert large.status_code == 400
    assert messages(large) == ["Query cost 301 exceeds the maximum of 60."]


async def test_the_default_cost_limit_lets_the_users_page_of_a_hundred_through(
    http: AsyncClient, cast
) -> None:
    query = (
        "{ users(first: 100) { edges { node { id username tenant { name } "
        "ownedProjects { id owner { username } } } } } }"
    )
    response = await ask(http, query, token=cast.admin_a.token)
    assert response.status_code == 200
    assert not response.json().get("errors")


async def test_nested_pages_multiply(client_with: ClientFactory) -> None:
    from graphql import parse

    from schema import schema
    from schema.cost import measure

    document = parse(
        "{ users(first: 10) { edges { node { id } } } b: users(first: 2) { totalCount } }"
    )
    measured = measure(schema._schema, document, None, {})
    assert measured is not None
    assert measured.cost == (1 + 10 * 3) + (1 + 2)


async def test_introspection_can_be_switched_off(client_with: ClientFactory) -> None:
    async with client_with(introspection=False) as client:
        response = await ask(client, "{ __schema { queryType { name } } }")
        typename = await ask(client, "{ __typename }")
    assert response.status_code == 400
    assert "introspection" in messages(response)[0].lower()
    assert typename.json() == {"data": {"__typename": "Query"}}


async def test_without_introspection_there_are_no_suggestions(client_with: ClientFactory) -> None:
    async with client_with(introspection=False) as client:
        response = await ask(client, "{ mee { id } }")
    assert messages(response) == ["Cannot query field 'mee' on type 'Query'."]


async def test_with_introspection_suggestions_stay(http: AsyncClient) -> None:
    response = await ask(http, "{ mee { id } }")
    assert "Did you mean 'me'?" in messages(response)[0]


async def test_without_introspection_variable_errors_make_no_suggestions(
    client_with: ClientFactory,
) -> None:
    query = "query($r: Role) { users(role: $r) { totalCount } }"
    async with client_with(introspection=False) as client:
        response = await ask(client, query, {"r": "ADMI"})
    assert response.status_code == 400
    assert not any("Did you mean" in m for m in messages(response))
