"""Expected errors (a refusal, a bad cursor, something not found, a mistyped input) are the
caller's business: they are answered, not logged as errors, so an anonymous caller cannot fill
the log with them (issue 11). An unexpected exception is logged once, with its stack, and
without the values the request carried."""

from __future__ import annotations

import logging
import uuid

import pytest
import strawberry
from strawberry.extensions import MaskErrors

from schema import Schema, should_mask_error
from tests.secrets_seen import remember

USERS = "query($after: String) { users(first: 1, after: $after) { totalCount } }"
SAML = "query($id: ID!) { samlSettings(tenantId: $id) { enabled } }"
LOGIN = "mutation($input: LoginInput!) { login(input: $input) { __typename } }"


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("who", "query", "variables", "code"),
    [
        (None, USERS, {}, "UNAUTHENTICATED"),
        ("guest_a", USERS, {}, "FORBIDDEN"),
        ("admin_a", USERS, {"after": "not-a-cursor"}, "BAD_USER_INPUT"),
        ("superuser", SAML, {"id": str(uuid.uuid4())}, "NOT_FOUND"),
        (None, LOGIN, {"input": {"tenant": "acme", "x": 1}}, None),
        (None, "{ users { notAField } }", None, None),
        (None, "{ users(", None, None),
    ],
    ids=["unauthenticated", "forbidden", "bad cursor", "not found", "variables", "validation",
         "syntax"],
)  # fmt: skip
async def test_an_expected_error_is_answered_not_logged(gql, cast, caplog, who, query, variables,
                                                        code):  # fmt: skip
    caplog.set_level(logging.DEBUG)
    result = await gql(query, variables, as_=getattr(cast, who) if who else None)
    assert result.errors
    if code:
        assert result.codes == [code]
    assert errors_logged(caplog) == []
    assert not [record for record in caplog.records if record.name.startswith("strawberry")]


@strawberry.type
class Failing:
    @strawberry.field
    def fails(self, password: str) -> str:
        raise RuntimeError("the database went away")


async def test_an_unexpected_error_is_logged_once_with_its_stack_and_no_values(caplog):
    secret = f"Leak_{uuid.uuid4().hex}"
    remember(secret)
    failing = Schema(query=Failing, extensions=[lambda: MaskErrors(should_mask_error)])
    caplog.set_level(logging.DEBUG)
    result = await failing.execute(
        "query($p: String!) { fails(password: $p) }", variable_values={"p": secret}
    )
    assert [error.message for error in result.errors or []] == ["Unexpected error."]
    [logged] = errors_logged(caplog)
    assert logged.exc_info is not None
    assert "the database went away" in caplog.text
    assert secret not in caplog.text
