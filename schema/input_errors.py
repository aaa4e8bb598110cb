"""Errors about input that name the place and the expected type, never the value (issue 11).

graphql-core's messages for a value that does not fit its type print the value: "Variable
'$i' has invalid value: Expected value of type 'LoginInput' not to include unknown field 'x',
found: {..., 'password': ...}", "String cannot represent a non string value: [...]", and a
custom scalar's message says whatever its parser said. A password sent with one field too
many came back in the answer and went to the log.

graphql-core reports each fault to a callback with its path; the messages here are made from
that path, the type at it, and a reason from a closed set:

- the reports about the *shape* of an input object (an unknown field, a missing required
  field, not an object) are recognised by graphql-core's fixed wording and said again with the
  type and field names alone (the patterns capture names only); the reports that hold no value
  at all (null for a non-null type, oneOf, a variable without a runtime value) pass as they are;
- anything else, whoever wrote it (a scalar, an enum, a wording not known here), becomes
  "Expected a value of type 'T'.".

Three places build such errors, each replaced here: variable coercion (`VariableErrors`, for
the executor's `build`), literals in the document (`ValuesOfCorrectType`, in place of
graphql-core's rule), and the parser, whose "found String '...'" quotes the document
(`without_token_value`).
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLInputType,
    GraphQLSchema,
    GraphQLSyntaxError,
    ValueNode,
    VariableDefinitionNode,
    get_nullable_type,
    is_input_object_type,
    is_input_type,
    is_list_type,
    specified_rules,
    type_from_ast,
)
from graphql.language import SKIP, ArgumentNode, VisitorAction
from graphql.pyutils import Undefined, print_path_list
from graphql.utilities.validate_input_value import validate_input_literal, validate_input_value
from graphql.validation import ValuesOfCorrectTypeRule

_NAME = r"[_A-Za-z][_0-9A-Za-z]*"
_TYPE = r"[_A-Za-z\[\]!][_0-9A-Za-z\[\]!]*"
_UNKNOWN_FIELD = re.compile(
    rf"Expected value of type '(?P<type>{_TYPE})' not to include unknown field '(?P<field>{_NAME})'"
)
_REQUIRED_FIELD = re.compile(
    rf"Expected value of type '(?P<type>{_TYPE})' to include required field '(?P<field>{_NAME})'"
)
_NOT_AN_OBJECT = re.compile(rf"Expected value of type '(?P<type>{_TYPE})' to be an object")
_HOLDS_NO_VALUE = re.compile(
    "|".join((
        rf"Expected (a )?value of non-null type '{_TYPE}' (to be provided|not to be None)\.",
        rf"Within OneOf Input Object type '{_NAME}', exactly one field must be specified,"
        r" and the value for that field must be non-null\.",
        rf"Expected variable '\${_NAME}' provided to (non-null )?type '{_TYPE}'"
        r" (to provide a runtime value|not to be None)\.",
        rf"Expected variable '\${_NAME}' provided to field '{_NAME}' for OneOf Input Object"
        rf" type '{_NAME}' (to provide a runtime value|not to be None)\.",
    ))
)  # fmt: skip


def reason(message: str, type_: GraphQLInputType | None) -> str:
    """What is wrong, from graphql-core's report `message` about a value of type `type_`,
    without the value."""
    if _HOLDS_NO_VALUE.fullmatch(message):
        return message
    if found := _UNKNOWN_FIELD.match(message):
        return f"Field '{found['field']}' is not defined by type '{found['type']}'."
    if found := _REQUIRED_FIELD.match(message):
        return f"Field '{found['field']}' of type '{found['type']}' is required."
    if found := _NOT_AN_OBJECT.match(message):
        return f"Expected an object of type '{found['type']}'."
    return f"Expected a value of type '{type_}'." if type_ is not None else "Invalid value."


def type_at(type_: GraphQLInputType, path: list[str | int]) -> GraphQLInputType | None:
    """The type of the value at `path` (field names and list indexes) inside a `type_`."""
    current: Any = type_
    for key in path:
        current = get_nullable_type(current)
        if isinstance(key, int) and is_list_type(current):
            current = current.of_type
            continue
        # A list accepts one item without brackets: the path then skips the index.
        while is_list_type(current):
            current = get_nullable_type(current.of_type)
        if not (is_input_object_type(current) and key in current.fields):
            return None
        current = current.fields[key].type
    return current


def _saying(
    invalid: str, type_: GraphQLInputType, error: GraphQLError, path: list[str | int]
) -> str:
    """`invalid` ("Argument 'input' has an invalid value"), where, and why."""
    return f"{invalid}{print_path_list(path)}: {reason(error.message, type_at(type_, path))}"


# --- variables -----------------------------------------------------------------------------


class VariableErrors:
    """For the executor class: variable values that do not fit are reported without them.

    graphql-core's `build` coerces the variables and answers a list of errors when they do not
    fit. Each such error is said again from the same report (path and message) made by
    graphql-core's own `validate_input_value` run once more on that variable: the same walk
    in the same order, so the errors correspond one for one, and the `max_coercion_errors`
    limit graphql-core applied still holds.
    """

    @classmethod
    def build(  # type: ignore[no-untyped-def]
        cls, schema, document, root_value=None, context_value=None, raw_variable_values=None,
        *args, **kwargs,
    ):  # fmt: skip
        built = super().build(  # type: ignore[misc]
            schema, document, root_value, context_value, raw_variable_values, *args, **kwargs
        )
        if isinstance(built, list):
            return variable_errors_without_values(schema, built, raw_variable_values or {})
        return built


def variable_errors_without_values(
    schema: GraphQLSchema, errors: list[GraphQLError], values: dict[str, Any]
) -> list[GraphQLError]:
    about = [_variable_of(error) for error in errors]
    counts = Counter(id(node) for node in about if node is not None)
    said: dict[int, Iterator[GraphQLError]] = {}
    result = []
    for error, node in zip(errors, about, strict=True):
        if node is None:
            result.append(error)  # which operation, signatures, too many errors: no values
            continue
        if id(node) not in said:
            value = values.get(node.variable.name.value, Undefined)
            said[id(node)] = iter(_variable_errors(schema, node, value, counts[id(node)]))
        fallback = GraphQLError(
            f"Variable '${node.variable.name.value}' has an invalid value.", node
        )
        result.append(next(said[id(node)], fallback))
    return result


def _variable_of(error: GraphQLError) -> VariableDefinitionNode | None:
    """The variable whose value `error` is about, if it is about one."""
    node = error.nodes[0] if error.nodes and len(error.nodes) == 1 else None
    if not isinstance(node, VariableDefinitionNode):
        return None
    # "Variable '$x' expected value of type 'T' which cannot be used as an input type.": names.
    if error.message.startswith(f"Variable '${node.variable.name.value}' expected value of type"):
        return None
    return node


class _Enough(Exception):  # noqa: N818 - not a failure: as many errors as graphql-core reported
    pass


def _variable_errors(
    schema: GraphQLSchema, node: VariableDefinitionNode, value: Any, limit: int
) -> list[GraphQLError]:
    type_ = type_from_ast(schema, node.type)
    if value is Undefined or type_ is None or not is_input_type(type_):
        return []  # a default value: the document's, and validation checks those
    invalid = f"Variable '${node.variable.name.value}' has an invalid value"
    errors: list[GraphQLError] = []

    def on_error(error: GraphQLError, path: list[str | int]) -> None:
        errors.append(GraphQLError(_saying(invalid, type_, error, path), node))
        if len(errors) >= limit:
            raise _Enough

    with contextlib.suppress(_Enough):
        validate_input_value(value, type_, on_error, True)  # type: ignore[arg-type]
    return errors


# --- literals in the document --------------------------------------------------------------


class ValuesOfCorrectType(ValuesOfCorrectTypeRule):
    """graphql-core's rule, its errors naming the argument, the path and the type only.

    The rule checks each argument's value and each variable's default value whole (it does
    not descend), so the argument or variable being visited is the place to name.
    """

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.invalid = "Invalid value"

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.invalid = f"Argument '{node.name.value}' has an invalid value"

    def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> None:
        self.invalid = f"Variable '${node.variable.name.value}' has an invalid default value"

    def is_valid_value_node(
        self, node: ValueNode, input_type: GraphQLInputType | None
    ) -> VisitorAction:
        if input_type:
            type_ = input_type

            def on_error(error: GraphQLError, path: list[str | int]) -> None:
                message = _saying(self.invalid, type_, error, path)
                self.report_error(GraphQLError(message, error.nodes))

            validate_input_literal(node, type_, on_error, None, None, True)
        return SKIP


VALIDATION_RULES = tuple(
    ValuesOfCorrectType if rule is ValuesOfCorrectTypeRule else rule for rule in specified_rules
)


# --- syntax errors -------------------------------------------------------------------------

# The parser describes the token it did not expect with its value ("found String '...'."),
# and the lexer quotes a bad escape sequence from inside a string: the value goes, the kind
# and the place (the error's location) stay.
_QUOTED_AT_END = re.compile(
    r"(?P<what>\b(?:Name|String|BlockString|Int|Float|Comment)|escape sequence:?) '.*'(?=\.$)",
    re.DOTALL,
)


def without_token_value(error: GraphQLError) -> None:
    if isinstance(error, GraphQLSyntaxError):
        error.message = _QUOTED_AT_END.sub(
            lambda found: found["what"].removesuffix(":"), error.message
        )
