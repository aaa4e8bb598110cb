"""sendPasswordReset: admins for their tenant's users (never superusers), superusers for anyone;
the link goes to the user's own address and the caller never sees it (issue 14, part 1)."""

from __future__ import annotations

import pytest

from models import AuditEvent, AuthMethod, OutboxMail, User
from tests.account_security.helpers import NEW_PASSWORD, login, mailed_token, reset
from tests.account_security.queries import SEND_RESET
from tests.factories import Cast
from tests.tokens.helpers import token_of

ASKED = {"__typename": "PasswordResetRequested", "ok": True}


def caller_of(cast: Cast, caller: str):
    return {
        "anonymous": None, "guest": cast.guest_a, "member": cast.member_a,
        "admin": cast.admin_a, "superuser": cast.superuser, "tenant-B admin": cast.admin_b,
    }[caller]  # fmt: skip


async def send(gql, user_id: str, as_=None, **options) -> dict:
    return (await gql(SEND_RESET, {"id": user_id}, as_=as_, **options)).body


@pytest.mark.parametrize(
    ("caller", "target", "outcome"),
    [
        ("anonymous", "member", "UNAUTHENTICATED"),
        ("guest", "member", "FORBIDDEN"),
        ("guest", "guest", "FORBIDDEN"),  # not even oneself: requestPasswordReset is for that
        ("member", "guest", "FORBIDDEN"),
        ("member", "member", "FORBIDDEN"),
        ("admin", "member", "PasswordResetRequested"),
        ("admin", "guest", "PasswordResetRequested"),
        ("admin", "admin", "PasswordResetRequested"),
        ("admin", "superuser", "FORBIDDEN"),  # admins never act on superusers
        ("admin", "tenant-B member", "NotFound"),  # another tenant's user: as if missing
        ("tenant-B admin", "member", "NotFound"),
        ("superuser", "member", "PasswordResetRequested"),
        ("superuser", "superuser", "PasswordResetRequested"),
        ("superuser", "tenant-B member", "PasswordResetRequested"),
    ],
)
async def test_who_may_mail_whom_a_reset_link(gql, cast: Cast, smtp, caller, target, outcome):
    user = {
        "member": cast.member_a, "guest": cast.guest_a, "admin": cast.admin_a,
        "superuser": cast.superuser, "tenant-B member": cast.member_b,
    }[target].user  # fmt: skip
    body = await send(gql, str(user.id), as_=caller_of(cast, caller))
    if outcome in ("UNAUTHENTICATED", "FORBIDDEN"):
        assert [e["extensions"]["code"] for e in body["errors"]] == [outcome]
        assert not await OutboxMail.exists()
        return
    answer = body["data"]["sendPasswordReset"]
    assert answer["__typename"] == outcome
    if outcome == "NotFound":
        assert not await OutboxMail.exists()
        return
    assert answer == ASKED
    [message] = await smtp.wait_for(1)
    assert message["To"] == user.email


async def test_the_user_resets_with_the_link_the_admin_had_sent(gql, cast, smtp):
    await send(gql, cast.member_a.id, as_=cast.admin_a)
    token = await mailed_token(smtp, "/reset-password")
    assert (await reset(gql, token))["__typename"] == "LoginSuccess"
    assert await login(gql, "mallory", NEW_PASSWORD) == "LoginSuccess"


@pytest.mark.parametrize("unknown", ["00000000-0000-0000-0000-000000000000", "garbage", ""])
async def test_an_unknown_user_is_not_found(gql, cast, smtp, unknown):
    answer = (await send(gql, unknown, as_=cast.superuser))["data"]["sendPasswordReset"]
    assert answer["__typename"] == "NotFound"


@pytest.mark.parametrize("method", [AuthMethod.PAM, AuthMethod.SAML])
async def test_a_user_without_a_password_here_is_a_validation_error(gql, cast, make, smtp, method):
    user = await make.user(cast.tenant_a, username="outsider", auth_method=method)
    answer = (await send(gql, str(user.id), as_=cast.admin_a))["data"]["sendPasswordReset"]
    assert (answer["__typename"], answer["field"]) == ("ValidationError", "userId")
    assert not await OutboxMail.exists()


async def test_an_unverified_sign_up_is_a_validation_error(gql, cast, make, smtp):
    user = await make.user(cast.tenant_a, username="pending", email_verified=False)
    answer = (await send(gql, str(user.id), as_=cast.admin_a))["data"]["sendPasswordReset"]
    assert answer["__typename"] == "ValidationError"


async def test_without_smtp_it_answers_email_not_configured(gql, cast):
    answer = (await send(gql, cast.member_a.id, as_=cast.admin_a))["data"]["sendPasswordReset"]
    assert answer["__typename"] == "EmailNotConfigured"
    assert (await User.get(id=cast.member_a.user.id)).password_reset_nonce is None


async def test_the_admins_api_token_may_send_it_but_the_link_still_goes_to_the_user(
    gql, cast, make, smtp
):
    secret = await token_of(make, cast.admin_a)
    answer = (await send(gql, cast.member_a.id, token=secret))["data"]["sendPasswordReset"]
    assert answer == ASKED
    [message] = await smtp.wait_for(1)
    assert message["To"] == cast.member_a.user.email


async def test_it_is_audited_with_the_admin_as_actor(gql, cast, smtp):
    await send(gql, cast.member_a.id, as_=cast.admin_a)
    event = await AuditEvent.get(action="user.password_reset_requested")
    assert (event.actor_id, event.target_id, event.changes) == (
        cast.admin_a.user.id, cast.member_a.id, {"by": "admin"},
    )  # fmt: skip


async def test_sending_a_link_changes_no_password(gql, cast, smtp):
    before = (await User.get(id=cast.member_a.user.id)).password_hash
    await send(gql, cast.member_a.id, as_=cast.admin_a)
    assert (await User.get(id=cast.member_a.user.id)).password_hash == before
    assert await login(gql, "mallory", "correct horse battery staple") == "LoginSuccess"


async def test_a_deactivated_user_is_a_validation_error(gql, cast, smtp):
    await gql(
        "mutation($id: ID!) { deactivateUser(id: $id) { __typename } }",
        {"id": cast.member_a.id}, as_=cast.admin_a,
    )  # fmt: skip
    answer = (await send(gql, cast.member_a.id, as_=cast.admin_a))["data"]["sendPasswordReset"]
    assert (answer["__typename"], answer["field"]) == ("ValidationError", "userId")
    assert not await OutboxMail.exists()
