"""GraphQL documents and small helpers shared by the authentication tests."""

from __future__ import annotations

from typing import Any

from tests.graphql_client import GraphQLClient, Result

LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginSuccess { sessionToken user { id username role lastLoginAt tenant { name } } }
    ... on RateLimited { message retryAfterSeconds }
    ... on ValidationError { message field }
    ... on Error { message }
  }
}
"""
LOGOUT = "mutation { logout { ok } }"
CHANGE_PASSWORD = """
mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) {
    __typename
    ... on UserPayload { user { username } }
    ... on ValidationError { message field }
    ... on Error { message }
  }
}
"""
ME = "query Me { me { username role superuser } }"
USERS = "query Users { users { totalCount } }"
TENANTS = "query Tenants { tenants { name } }"


async def login(
    gql: GraphQLClient, username: str, password: str, tenant: str = "acme", **kwargs: Any
) -> dict[str, Any]:
    result = await gql(
        LOGIN, {"input": {"tenant": tenant, "username": username, "password": password}}, **kwargs
    )
    return result.payload("login")


async def me(gql: GraphQLClient, token: str | None) -> dict[str, Any] | None:
    result: Result = await gql(ME, token=token) if token else await gql(ME)
    return result.ok()["me"]
