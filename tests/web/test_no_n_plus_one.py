"""The users page costs the same number of SQL statements at 10 users as at 100."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.factories import Factory
from tests.graphql_client import GraphQLClient

PAGE = """
query($first: Int) {
  users(first: $first) {
    edges { node { id username tenant { name } ownedProjects { id owner { username } } } }
  }
}
"""


class StatementCounter(logging.Handler):
    """Counts the SQL statements Tortoise's clients send (each is logged at DEBUG)."""

    VERBS = ("select", "insert", "update", "delete", "with")

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lstrip()
        if message.lower().startswith(self.VERBS):
            self.statements.append(message)


@pytest.fixture
def sql() -> Iterator[StatementCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


async def statements_for_page(
    gql: GraphQLClient, sql: StatementCounter, admin: object, first: int
) -> tuple[int, int]:
    sql.statements.clear()
    result = await gql(PAGE, {"first": first}, as_=admin)
    edges = result.ok()["users"]["edges"]
    return len(edges), len(sql.statements)


async def test_the_users_page_costs_the_same_statements_at_10_and_100_users(
    gql: GraphQLClient, make: Factory, sql: StatementCounter
) -> None:
    tenant = await make.tenant("bigco")
    admin = await make.person(tenant, role="admin")
    for _ in range(99):
        user = await make.user(tenant)
        await make.project(user)
        await make.project(user)

    ten_rows, at_ten = await statements_for_page(gql, sql, admin, 10)
    hundred_rows, at_hundred = await statements_for_page(gql, sql, admin, 100)

    assert (ten_rows, hundred_rows) == (10, 100)
    assert at_ten == at_hundred, sql.statements
