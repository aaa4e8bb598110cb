"""What the tests of API-token requests share."""

from __future__ import annotations

from permissions.rules import TOKEN_REFUSAL
from tests.factories import Factory, Person
from tests.graphql_client import Result


async def token_of(make: Factory, person: Person) -> str:
    """A fresh API token secret of that person."""
    _, secret = await make.api_token(person.user)
    return secret


def refused_as_a_token_request(result: Result) -> None:
    """Answered FORBIDDEN, with the reason."""
    assert result.codes == ["FORBIDDEN"], result.body
    assert result.errors[0]["message"] == TOKEN_REFUSAL
