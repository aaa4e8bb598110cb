"""An input that does not fit its type is answered with where it is wrong and what type was
expected, never with what it held (issue 11): a password sent with one field too many, in a
list, or under a mistyped name, must not come back in the answer or go to the log.

Every field of the schema that takes a secret (an argument or input field named like a
password, token, secret or private key) is attacked, found in the schema itself so that a new
mutation is covered without a new test; through variables and through literals in the
document. Every secret sent is remembered, so the suite's log search looks for it too
(tests/conftest.py: `logs_hold_no_secret`)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import (
    GraphQLInputType,
    get_named_type,
    is_input_object_type,
    is_leaf_type,
    is_required_argument,
)

from schema import schema
from tests.secrets_seen import SECRET_NAME, remember

# --- the fields that take a secret, from the schema ----------------------------------------


@dataclass(frozen=True)
class SecretInput:
    operation: str  # "query" or "mutation"
    field: str
    argument: str
    path: tuple[str, ...]  # input fields from the argument down to the secret

    def __str__(self) -> str:
        return ".".join((self.field, self.argument, *self.path))


def _paths_to_secrets(
    name: str, type_: GraphQLInputType, seen: tuple[str, ...]
) -> Iterator[tuple[str, ...]]:
    named = get_named_type(type_)
    if SECRET_NAME.search(name) and named.name == "String":
        yield ()
    elif is_input_object_type(named) and named.name not in seen:
        for field_name, field in named.fields.items():  # type: ignore[union-attr]
            for rest in _paths_to_secrets(field_name, field.type, (*seen, named.name)):
                yield (field_name, *rest)


def secret_inputs() -> list[SecretInput]:
    found = []
    roots = {"query": schema._schema.query_type, "mutation": schema._schema.mutation_type}
    for operation, root in roots.items():
        for field_name, field in root.fields.items():  # type: ignore[union-attr]
            for argument_name, argument in field.args.items():
                for path in _paths_to_secrets(argument_name, argument.type, ()):
                    found.append(SecretInput(operation, field_name, argument_name, path))
    return found


SECRET_INPUTS = secret_inputs()


def test_the_secret_taking_fields_are_found_in_the_schema():
    found = {str(secret) for secret in SECRET_INPUTS}
    assert {"login.input.password", "changePassword.input.newPassword"} <= found
    assert {"updateSslSettings.input.privateKey", "verifyEmail.token"} <= found


# --- documents and values ------------------------------------------------------------------


class Bare(str):
    """A literal written without quotes (an enum value, to the parser)."""


class NoColon(str):
    """A literal written after its field's name without the colon: a syntax error."""


def literal(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(_entry(key, item) for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, Bare):
        return str(value)
    return json.dumps(value)


def _entry(key: str, value: Any) -> str:
    if isinstance(value, NoColon):
        return f"{key} {json.dumps(str(value))}"
    return f"{key}: {literal(value)}"


def nested(path: tuple[str, ...], leaf: Any) -> Any:
    for name in reversed(path):
        leaf = {name: leaf}
    return leaf


def document(secret: SecretInput, written: Any = None) -> str:
    """The operation, every other required argument a variable (left out: their coercion
    fails too, which is fine), the attacked one a variable or `written` in the document."""
    field = getattr(schema._schema, f"{secret.operation}_type").fields[secret.field]
    declared, passed = [], []
    for name, argument in field.args.items():
        if name == secret.argument and written is not None:
            passed.append(_entry(name, written))
        elif name == secret.argument or is_required_argument(argument):
            declared.append(f"${name}: {argument.type}")
            passed.append(f"{name}: ${name}")
    selection = "" if is_leaf_type(get_named_type(field.type)) else "{ __typename }"
    variables = f"({', '.join(declared)})" if declared else ""
    return f"{secret.operation}{variables} {{ {secret.field}({', '.join(passed)}) {selection} }}"


def new_secret() -> str:
    # A Name as well as a string: the same secret can be written bare.
    secret = f"Leak_{uuid.uuid4().hex}_pw"
    remember(secret)
    return secret


Variant = Callable[[SecretInput, str], Any]


def _unknown_field(secret: SecretInput, value: Any) -> Any:
    return nested(secret.path[:-1], {secret.path[-1]: value, "notAField": 1})


# The argument's value for each way of getting it wrong, around the secret `s`.
WRONG_VALUES: dict[str, Variant] = {
    "in a list": lambda at, s: nested(at.path, [s]),
    "in an object": lambda at, s: nested(at.path, {"value": s}),
    "beside an unknown field": lambda at, s: _unknown_field(at, s) if at.path else None,
    "the whole input in a list": lambda at, s: [_unknown_field(at, s)] if at.path else None,
    "the secret for the whole input": lambda at, s: s if at.path else None,
}
WRONG_LITERALS: dict[str, Variant] = {
    **WRONG_VALUES,
    "bare, as an enum value": lambda at, s: nested(at.path, Bare(s)),
    "bare beside an unknown field": lambda at, s: _unknown_field(at, Bare(s)) if at.path else None,
    "a block string beside an unknown field": lambda at, s: (
        _unknown_field(at, Bare(f'"""{s}"""')) if at.path else None
    ),
    "after its name without a colon": lambda at, s: (
        nested(at.path[:-1], {at.path[-1]: NoColon(s)}) if at.path else NoColon(s)
    ),
}


def _echoes(answer: str, secret: str) -> bool:
    return secret in answer or secret[5:25] in answer


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.mark.parametrize("secret_input", SECRET_INPUTS, ids=str)
async def test_a_mistyped_secret_in_variables_is_not_echoed(gql, secret_input, all_logs):
    echoed = []
    for name, variant in WRONG_VALUES.items():
        secret = new_secret()
        value = variant(secret_input, secret)
        if value is None:
            continue
        result = await gql(document(secret_input), {secret_input.argument: value})
        assert result.response.status_code < 500 and result.errors, (name, result.body)
        if _echoes(result.response.text, secret) or _echoes(all_logs.text, secret):
            echoed.append((name, result.errors))
    assert not echoed


@pytest.mark.parametrize("secret_input", SECRET_INPUTS, ids=str)
async def test_a_mistyped_secret_in_the_document_is_not_echoed(gql, secret_input, all_logs):
    echoed = []
    for name, variant in WRONG_LITERALS.items():
        secret = new_secret()
        value = variant(secret_input, secret)
        if value is None:
            continue
        result = await gql(document(secret_input, value))
        assert result.response.status_code < 500 and result.errors, (name, result.body)
        if _echoes(result.response.text, secret) or _echoes(all_logs.text, secret):
            echoed.append((name, result.errors))
    assert not echoed


# --- what the messages say instead ----------------------------------------------------------

LOGIN = "mutation($input: LoginInput!) { login(input: $input) { __typename } }"
SIGN_IN = {"tenant": "acme", "username": "alice"}


async def test_an_unknown_input_field_is_named_with_its_type(gql):
    result = await gql(LOGIN, {"input": {**SIGN_IN, "password": new_secret(), "x": 1}})
    assert [e["message"] for e in result.errors] == [
        "Variable '$input' has an invalid value: Field 'x' is not defined by type 'LoginInput'."
    ]


async def test_a_value_of_the_wrong_type_is_located_by_its_path(gql):
    result = await gql(LOGIN, {"input": {**SIGN_IN, "password": [new_secret()]}})
    assert [e["message"] for e in result.errors] == [
        "Variable '$input' has an invalid value at .password: Expected a value of type 'String!'."
    ]


async def test_a_missing_required_field_is_named(gql):
    result = await gql(LOGIN, {"input": {"tenant": "acme", "password": new_secret()}})
    assert [e["message"] for e in result.errors] == [
        "Variable '$input' has an invalid value: Field 'username' of type 'LoginInput' is required."
    ]


async def test_a_literal_is_located_by_its_argument_and_path(gql):
    secret = new_secret()
    result = await gql(
        f'mutation {{ login(input: {{tenant: "acme", username: "alice", password: ["{secret}"]'
        ", x: 1}) { __typename } }"
    )
    assert sorted(e["message"] for e in result.errors) == [
        "Argument 'input' has an invalid value at .password: Expected a value of type 'String!'.",
        "Argument 'input' has an invalid value: Field 'x' is not defined by type 'LoginInput'.",
    ]


async def test_a_syntax_error_names_the_kind_of_token_not_its_text(gql):
    secret = new_secret()
    result = await gql(f'mutation {{ login(input: {{password "{secret}"}}) {{ __typename }} }}')
    assert [e["message"] for e in result.errors] == ["Syntax Error: Expected ':', found String."]
    assert result.errors[0]["locations"] == [{"line": 1, "column": 35}]


SMTP_PORT = (
    "mutation($v: Int!) { updateSmtpSettings(input: "
    '{host: "h", port: $v, security: NONE, fromAddress: "a@example.org"}) { __typename } }'
)


@pytest.mark.parametrize(
    ("query", "value", "expected"),
    [
        (SMTP_PORT, 98765432109876, "Int!"),
        (SMTP_PORT, "Leak_12345678901234567890", "Int!"),
        ("query($v: Role) { users(role: $v) { totalCount } }", "Leak_123456789012345", "Role"),
        ("query($v: ID) { users(tenantId: $v) { totalCount } }", ["Leak_1234567890"], "ID"),
        ("query($v: String) { users(search: $v) { totalCount } }", {"x": "Leak_12345"}, "String"),
    ],
    ids=["int overflow", "int", "enum", "id", "string"],
)
async def test_a_scalar_or_enum_says_its_type_not_the_value(gql, cast, query, value, expected):
    result = await gql(query, {"v": value}, as_=cast.superuser)
    assert [e["message"] for e in result.errors] == [
        f"Variable '$v' has an invalid value: Expected a value of type '{expected}'."
    ]
    assert "98765432109876" not in result.response.text
    assert "Leak_" not in result.response.text


async def test_a_thousand_wrong_values_get_graphql_cores_fifty_errors_and_no_more(gql, cast):
    transfer = (
        "mutation($i: TransferOwnershipInput!) { transferOwnership(input: $i) { __typename } }"
    )
    ids = [cast.admin_a.id, cast.member_a.id]
    result = await gql(
        transfer, {"i": {"fromUserId": ids[0], "toUserId": ids[1], "tokenIds": [[]] * 1000}}
    )
    assert len(result.errors) == 51
    assert result.errors[0]["message"] == (
        "Variable '$i' has an invalid value at .tokenIds[0]: Expected a value of type 'ID!'."
    )
    assert result.errors[-1]["message"].startswith("Too many errors processing variables")
