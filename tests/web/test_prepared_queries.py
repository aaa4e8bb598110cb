"""A query this process has parsed and validated runs without Strawberry's pipeline
(schema/prepared.py), and answers as that pipeline would: the edges where the two could part.
tests/web/test_differential.py compares whole answers on generated documents."""

from __future__ import annotations

import logging
import uuid

import strawberry
from httpx import AsyncClient
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from schema import build_schema, schema
from schema.prepared import PREPARED_DOCUMENTS
from tests.factories import Cast
from tests.other_settings import ClientFactory
from tests.secrets_seen import remember


def errors_logged(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


NEW = "application/graphql-response+json"
PAGE = "query Page($n: Int) { users(first: $n) { edges { node { username } } } }"


async def ask(
    client: AsyncClient, query: str, variables: dict | None = None, *, token: str = "",
    operation_name: str | None = None,
):  # fmt: skip
    headers = {"accept": NEW, **({"authorization": f"Bearer {token}"} if token else {})}
    body: dict = {"query": query, "variables": variables, "operationName": operation_name}
    return await client.post("/graphql", json=body, headers=headers)


def messages(response) -> list[str]:
    return [error["message"] for error in response.json().get("errors", [])]


async def test_a_query_is_prepared_once_it_has_run(http: AsyncClient, cast: Cast) -> None:
    query = f"query Prepared{uuid.uuid4().hex} {{ me {{ username }} }}"
    first = await ask(http, query, token=cast.admin_a.token)
    again = await ask(http, query, token=cast.admin_a.token)
    assert first.json() == again.json() == {"data": {"me": {"username": "alice"}}}
    assert schema._prepared.find(query, None) is not None


async def test_a_document_that_does_not_validate_is_refused_alike_every_time(
    http: AsyncClient,
) -> None:
    answers = [await ask(http, "{ users { notAField } }") for _ in range(3)]
    assert {response.status_code for response in answers} == {400}
    assert {tuple(messages(response)) for response in answers} == {
        ("Cannot query field 'notAField' on type 'UserConnection'.",)
    }
    assert schema._prepared.find("{ users { notAField } }", None) is None


async def test_a_mutation_seen_for_the_first_time_is_parsed_once(http: AsyncClient) -> None:
    parses = _get_parse_cache(PREPARED_DOCUMENTS)
    before = parses.cache_info()

    response = await ask(http, f"mutation Out{uuid.uuid4().hex} {{ logout {{ __typename }} }}")

    assert response.json() == {"data": {"logout": {"__typename": "LogoutSuccess"}}}
    after = parses.cache_info()
    assert (after.misses, after.hits) == (before.misses + 1, before.hits + 1)


async def test_a_query_that_does_not_validate_is_validated_once(http: AsyncClient) -> None:
    validations = _get_validate_cache(PREPARED_DOCUMENTS)
    before = validations.cache_info()

    response = await ask(http, f"query Bad{uuid.uuid4().hex} {{ users {{ notAField }} }}")

    assert response.status_code == 400
    after = validations.cache_info()
    assert (after.misses, after.hits) == (before.misses + 1, before.hits + 1)


async def test_a_mutation_is_never_prepared(http: AsyncClient) -> None:
    mutation = "mutation { logout { __typename } }"
    await ask(http, mutation)
    assert schema._prepared.find(mutation, None) is None


async def test_a_prepared_query_still_runs_over_get(http: AsyncClient, cast: Cast) -> None:
    query = "query OverGet { me { username } }"
    await ask(http, query, token=cast.admin_a.token)
    response = await http.get(
        "/graphql", params={"query": query},
        headers={"accept": NEW, "authorization": f"Bearer {cast.admin_a.token}"},
    )  # fmt: skip
    assert response.json() == {"data": {"me": {"username": "alice"}}}


async def test_a_prepared_query_is_refused_when_its_variables_exceed_the_cost_limit(
    client_with: ClientFactory, cast: Cast
) -> None:
    async with client_with(max_query_cost=60) as client:
        allowed = await ask(client, PAGE, {"n": 2}, token=cast.admin_a.token)
        refused = await ask(client, PAGE, {"n": 100}, token=cast.admin_a.token)
        allowed_again = await ask(client, PAGE, {"n": 2}, token=cast.admin_a.token)
    assert allowed.status_code == allowed_again.status_code == 200
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_a_lower_token_limit_applies_to_a_query_already_prepared(
    http: AsyncClient, client_with: ClientFactory, cast: Cast
) -> None:
    assert (await ask(http, PAGE, {"n": 1}, token=cast.admin_a.token)).status_code == 200
    async with client_with(max_query_tokens=5) as client:
        refused = await ask(client, PAGE, {"n": 1}, token=cast.admin_a.token)
    assert refused.status_code == 400
    assert messages(refused) == [
        "Syntax Error: Document contains more than 5 tokens. Parsing aborted."
    ]


async def test_the_operation_name_chooses_among_a_prepared_documents_queries(
    http: AsyncClient, cast: Cast
) -> None:
    document = "query Name { me { username } } query Mail { me { email } }"
    for _ in range(2):
        named = await ask(http, document, token=cast.admin_a.token, operation_name="Mail")
        assert named.json() == {"data": {"me": {"email": cast.admin_a.user.email}}}
    unknown = await ask(http, document, token=cast.admin_a.token, operation_name="Nope")
    assert unknown.status_code == 400
    assert "data" not in unknown.json()


@strawberry.type
class Failing:
    @strawberry.field
    def fails(self, password: str) -> str:
        raise RuntimeError("the database went away")


async def test_an_unexpected_error_in_a_prepared_query_is_masked_and_logged_once(caplog) -> None:
    failing = build_schema(query=Failing)
    query = "query($p: String!) { fails(password: $p) }"
    for _ in range(2):
        secret = f"Leak_{uuid.uuid4().hex}"
        remember(secret)
        caplog.clear()
        caplog.set_level(logging.DEBUG)
        result = await failing.execute(query, variable_values={"p": secret})
        assert [error.message for error in result.errors or []] == ["Unexpected error."]
        [logged] = errors_logged(caplog)
        assert "the database went away" in caplog.text
        assert secret not in caplog.text
    assert failing._prepared.find(query, None) is not None
