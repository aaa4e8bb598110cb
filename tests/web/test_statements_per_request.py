"""A users page with its relations costs three SQL statements, whatever its size: the
session, the page (its tenants joined in), the projects of its users. On PostgreSQL the
request holds one connection for them, which goes back to the pool without a reset statement
(models/pg_connection.py), and they run as prepared statements (issue 17)."""

from __future__ import annotations

import asyncio

import pytest
from tortoise import connections

from config import Config, DatabasePooler
from tests.factories import Factory
from tests.graphql_client import GraphQLClient
from tests.sql_counter import counting_driver_statements, counting_sql

NESTED = """
query {
  users(first: 100) {
    edges { node { id username tenant { name } ownedProjects { id name owner { username } } } }
  }
}
"""
RESET = "pg_advisory_unlock_all"


async def a_tenant_of_100_users(make: Factory) -> object:
    tenant = await make.tenant("bigco")
    admin = await make.person(tenant, role="admin")
    for _ in range(99):
        user = await make.user(tenant)
        await make.project(user)
        await make.project(user)
    return admin


async def test_me_with_its_tenant_costs_the_sessions_statement_alone(
    gql: GraphQLClient, make: Factory
) -> None:
    admin = await make.person(await make.tenant("bigco"), role="admin")

    with counting_sql() as sql:
        result = await gql("query { me { username tenant { name } } }", as_=admin)

    assert result.ok()["me"]["tenant"] == {"name": "bigco"}
    assert len(sql.statements) == 1, sql.statements


async def test_the_nested_users_page_costs_three_statements(
    gql: GraphQLClient, make: Factory
) -> None:
    admin = await a_tenant_of_100_users(make)

    with counting_sql() as sql:
        result = await gql(NESTED, as_=admin)

    assert len(result.ok()["users"]["edges"]) == 100
    assert len(sql.statements) == 3, sql.statements


@pytest.mark.postgres
async def test_on_postgresql_the_page_sends_its_three_statements_and_no_reset(
    gql: GraphQLClient, make: Factory
) -> None:
    admin = await a_tenant_of_100_users(make)
    for _ in range(3):  # the pool opens its connections
        await gql(NESTED, as_=admin)

    with counting_driver_statements(connections.get("default")) as sent:
        result = await gql(NESTED, as_=admin)
        await asyncio.sleep(0)  # asyncpg calls its query loggers soon, not at once

    assert len(result.ok()["users"]["edges"]) == 100
    assert len(sent) == 3, sent
    assert not any(RESET in statement for statement in sent), sent


@pytest.mark.postgres
async def test_on_postgresql_the_pages_statements_are_prepared_on_its_connection(
    gql: GraphQLClient, make: Factory, config: Config
) -> None:
    if config.database_pooler is DatabasePooler.TRANSACTION:
        pytest.skip("behind a transaction pooler nothing is prepared by name (see tests/pooler)")
    admin = await a_tenant_of_100_users(make)
    await gql(NESTED, as_=admin)

    with counting_driver_statements(connections.get("default")) as sent:
        await gql(NESTED, as_=admin)
        await asyncio.sleep(0)
    # The pool hands out the connection it took back last: the request's.
    async with connections.get("default").acquire_connection() as connection:
        prepared = {row["statement"] for row in await connection.fetch(
            "SELECT statement FROM pg_prepared_statements")}  # fmt: skip

    queries = [statement for statement in sent if RESET not in statement]
    assert len(queries) == 3
    assert set(queries) <= prepared


@pytest.mark.postgres
async def test_on_postgresql_a_connection_given_back_inside_a_transaction_comes_back_out_of_it(
    app: object,
) -> None:
    client = connections.get("default")
    async with client.acquire_connection() as connection:
        await connection.execute("BEGIN")
        await connection.execute("SELECT 1")
        assert connection.is_in_transaction()
        left = connection.get_server_pid()

    async with client.acquire_connection() as connection:
        assert connection.get_server_pid() == left  # the pool hands out the last one back
        assert not connection.is_in_transaction()


@pytest.mark.postgres
async def test_on_postgresql_a_fresh_connection_sends_the_same_three_statements(
    gql: GraphQLClient, make: Factory
) -> None:
    admin = await a_tenant_of_100_users(make)
    # Every connection new: asyncpg asks the server about a type it has no codec for on
    # each connection's first use of it (uuid[] did), in statements of its own.
    await connections.get("default")._pool.expire_connections()  # type: ignore[attr-defined]
    await gql("query { me { id } }", as_=admin)  # the pool opens a connection

    with counting_driver_statements(connections.get("default")) as sent:
        result = await gql(NESTED, as_=admin)
        await asyncio.sleep(0)

    assert len(result.ok()["users"]["edges"]) == 100
    assert len(sent) == 3, sent
