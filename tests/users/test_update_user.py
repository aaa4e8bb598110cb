"""updateUser: the e-mail is validated and unique per tenant regardless of case;
a refused change changes nothing."""

from __future__ import annotations

import pytest

from models import AuditEvent, User
from tests.users.queries import UPDATE_USER


async def emails() -> dict[str, str]:
    return {u.username: u.email for u in await User.all()}


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "no-at-sign",
        "two@@example.com",
        "a@b",
        "spaces in@example.com",
        "x@-bad-.com",
        "a..b@example.com",
    ],
)
async def test_a_malformed_email_is_a_validation_error_on_the_email_field(gql, cast, bad):
    before = await emails()
    result = await gql(
        UPDATE_USER, {"input": {"id": cast.member_a.id, "email": bad}}, as_=cast.member_a
    )
    answer = result.payload("updateUser")
    assert answer["__typename"] == "ValidationError"
    assert answer["field"] == "email"
    assert await emails() == before
    assert not await AuditEvent.filter(action="user.updated").exists()


@pytest.mark.parametrize("spelling", ["alice@acme.example.com", "ALICE@Acme.Example.COM"])
async def test_an_email_taken_in_the_tenant_is_refused_whatever_its_case(gql, cast, smtp, spelling):
    before = await emails()
    result = await gql(
        UPDATE_USER, {"input": {"id": cast.member_a.id, "email": spelling}}, as_=cast.member_a
    )
    answer = result.payload("updateUser")
    assert answer["__typename"] == "AlreadyExists"
    assert answer["field"] == "email"
    assert await emails() == before
    assert not await AuditEvent.filter(action="user.updated").exists()


async def test_an_email_used_in_another_tenant_is_free_here(gql, cast, smtp):
    taken_in_globex = cast.admin_b.user.email
    result = await gql(
        UPDATE_USER,
        {"input": {"id": cast.member_a.id, "email": taken_in_globex}},
        as_=cast.member_a,
    )
    assert result.payload("updateUser")["user"]["pendingEmail"] == taken_in_globex


async def test_changing_only_the_case_of_ones_own_email_is_allowed(gql, cast):
    # The domain is kept in its normal (lower-case) form; the local part as typed.
    local, _, domain = cast.member_a.user.email.partition("@")
    upper = f"{local.upper()}@{domain}"
    result = await gql(
        UPDATE_USER, {"input": {"id": cast.member_a.id, "email": upper}}, as_=cast.member_a
    )
    assert result.payload("updateUser")["user"]["email"] == upper
    assert (await User.get(id=cast.member_a.user.id)).email == upper


async def test_an_update_that_changes_nothing_writes_no_audit_event(gql, cast):
    same = cast.member_a.user.email
    result = await gql(
        UPDATE_USER,
        {"input": {"id": cast.member_a.id, "email": same, "role": "MEMBER"}},
        as_=cast.admin_a,
    )
    assert result.payload("updateUser")["__typename"] == "UserPayload"
    assert not await AuditEvent.filter(action="user.updated").exists()


async def test_updating_an_unknown_user_is_not_found(gql, cast):
    for unknown in ["00000000-0000-0000-0000-000000000000", "garbage"]:
        result = await gql(
            UPDATE_USER, {"input": {"id": unknown, "role": "GUEST"}}, as_=cast.admin_a
        )
        assert result.payload("updateUser")["__typename"] == "NotFound"
