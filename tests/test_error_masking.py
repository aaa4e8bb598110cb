"""Unexpected exceptions reach clients as "Unexpected error." only; expected ones pass."""

import logging

from graphql import GraphQLError

from permissions.graphql import Forbidden
from schema import should_mask_error


def test_an_unexpected_exception_is_masked_and_logged(caplog):
    error = GraphQLError('relation "user" does not exist', original_error=RuntimeError("boom"))
    with caplog.at_level(logging.ERROR, logger="tenantry.graphql"):
        assert should_mask_error(error) is True
    assert "boom" in caplog.text


def test_a_permission_error_is_not_masked():
    error = GraphQLError("You may not do this.", original_error=Forbidden())
    assert should_mask_error(error) is False


def test_a_validation_error_is_not_masked():
    assert should_mask_error(GraphQLError("Cannot query field 'x' on type 'Query'.")) is False
