"""A changed e-mail address takes effect only when the new address confirms its link; the old
address is told (issue 14, part 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models import AuditEvent, OutboxMail, User
from tests.account_security.helpers import ask_for_reset, mailed_token, message_to, reset
from tests.account_security.queries import CONFIRM_EMAIL, ME, UPDATE_EMAIL, USER
from tests.smtp_server import text_of

NEW = "mallory@new.example"


async def change(gql, person, email: str = NEW, as_=None) -> dict:
    variables = {"id": person.id, "email": email}
    return (await gql(UPDATE_EMAIL, variables, as_=as_ or person)).payload("updateUser")


async def confirm(gql, token: str, **options) -> dict:
    return (await gql(CONFIRM_EMAIL, {"token": token}, **options)).payload("confirmEmailChange")


async def test_a_new_address_waits_for_its_link_then_becomes_the_users(gql, cast, smtp):
    old = cast.member_a.user.email
    answer = await change(gql, cast.member_a)
    assert answer == {
        "__typename": "UserPayload",
        "user": {"id": cast.member_a.id, "email": old, "pendingEmail": NEW},
    }
    assert (await gql(ME, as_=cast.member_a)).ok()["me"]["email"] == old

    token = await mailed_token(smtp, "/confirm-email", 2, to=NEW)
    confirmed = await confirm(gql, token)

    assert confirmed == {
        "__typename": "UserPayload",
        "user": {"id": cast.member_a.id, "email": NEW, "pendingEmail": None},
    }
    stored = await User.get(id=cast.member_a.user.id)
    assert (stored.email, stored.email_key, stored.pending_email) == (NEW, NEW, None)
    # Confirming signs nobody out.
    assert (await gql(ME, as_=cast.member_a)).ok()["me"]["email"] == NEW


async def test_the_old_address_is_told_and_gets_no_link(gql, cast, smtp):
    old = cast.member_a.user.email
    await change(gql, cast.member_a)
    notice = await message_to(smtp, old)
    body = text_of(notice)
    assert NEW in body and "You asked" in body
    assert "token=" not in body and "token=" not in notice.get_body(("html",)).get_content()


async def test_an_admins_change_still_needs_the_new_address_to_confirm(gql, cast, smtp):
    old = cast.member_a.user.email
    answer = await change(gql, cast.member_a, as_=cast.admin_a)
    assert answer["user"] == {"id": cast.member_a.id, "email": old, "pendingEmail": NEW}
    notice = await message_to(smtp, old)
    assert "alice (an admin)" in text_of(notice)
    token = await mailed_token(smtp, "/confirm-email", 2, to=NEW)
    assert (await confirm(gql, token))["user"]["email"] == NEW


async def test_the_link_works_once(gql, cast, smtp):
    await change(gql, cast.member_a)
    token = await mailed_token(smtp, "/confirm-email", 2, to=NEW)
    assert (await confirm(gql, token))["__typename"] == "UserPayload"
    assert (await confirm(gql, token))["__typename"] == "InvalidToken"


async def test_asking_again_replaces_the_pending_address_and_its_link(gql, cast, smtp):
    await change(gql, cast.member_a, "first@new.example")
    first = await mailed_token(smtp, "/confirm-email", 2, to="first@new.example")
    await change(gql, cast.member_a, "second@new.example")
    second = await mailed_token(smtp, "/confirm-email", 4, to="second@new.example")
    assert (await confirm(gql, first))["__typename"] == "InvalidToken"
    assert (await confirm(gql, second))["user"]["email"] == "second@new.example"


async def test_setting_the_current_address_cancels_the_pending_change(gql, cast, smtp):
    await change(gql, cast.member_a)
    token = await mailed_token(smtp, "/confirm-email", 2, to=NEW)
    answer = await change(gql, cast.member_a, cast.member_a.user.email)
    assert answer["user"]["pendingEmail"] is None
    assert (await confirm(gql, token))["__typename"] == "InvalidToken"
    assert await AuditEvent.exists(action="user.email_change_cancelled")


async def test_an_address_taken_meanwhile_is_already_exists_and_changes_nothing(
    gql, cast, make, smtp
):
    await change(gql, cast.member_a)
    token = await mailed_token(smtp, "/confirm-email", 2, to=NEW)
    await make.user(cast.tenant_a, username="quicker", email=NEW.upper())

    answer = await confirm(gql, token)

    assert (answer["__typename"], answer["field"]) == ("AlreadyExists", "email")
    stored = await User.get(id=cast.member_a.user.id)
    assert (stored.email, stored.pending_email) == (cast.member_a.user.email, NEW)


async def test_an_address_taken_in_the_tenant_is_refused_when_asked(gql, cast, smtp):
    answer = await change(gql, cast.member_a, cast.admin_a.user.email)
    assert (answer["__typename"], answer["field"]) == ("AlreadyExists", "email")
    assert not await OutboxMail.exists()


async def test_an_address_used_in_another_tenant_is_free_here(gql, cast, smtp):
    taken_in_globex = cast.member_b.user.email
    await change(gql, cast.member_a, taken_in_globex)
    token = await mailed_token(smtp, "/confirm-email", 2, to=taken_in_globex)
    assert (await confirm(gql, token))["user"]["email"] == taken_in_globex
    assert (await User.get(id=cast.member_b.user.id)).email == taken_in_globex


async def test_an_expired_or_forged_link_is_invalid_token(gql, cast, smtp):
    await change(gql, cast.member_a)
    token = await mailed_token(smtp, "/confirm-email", 2, to=NEW)
    user_id, _, mac = token.partition(".")
    assert (await confirm(gql, f"{user_id}.{'B' * len(mac)}"))["__typename"] == "InvalidToken"
    await User.filter(id=user_id).update(
        email_change_expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    assert (await confirm(gql, token))["__typename"] == "InvalidToken"
    assert (await User.get(id=user_id)).email == cast.member_a.user.email


async def test_a_reset_link_mailed_to_the_old_address_stops_working(gql, cast, smtp):
    await ask_for_reset(gql, cast.member_a.user.email)
    reset_token = await mailed_token(smtp, "/reset-password")
    await change(gql, cast.member_a)
    token = await mailed_token(smtp, "/confirm-email", 3, to=NEW)
    await confirm(gql, token)
    assert (await reset(gql, reset_token))["__typename"] == "InvalidToken"


async def test_reset_links_go_to_the_new_address_once_it_is_confirmed(gql, cast, smtp):
    await change(gql, cast.member_a)
    await confirm(gql, await mailed_token(smtp, "/confirm-email", 2, to=NEW))
    await ask_for_reset(gql, cast.member_a.user.email)  # the old address: nothing
    await ask_for_reset(gql, NEW)
    token = await mailed_token(smtp, "/reset-password", 3)
    assert smtp.messages[2]["To"] == NEW
    assert (await reset(gql, token))["__typename"] == "LoginSuccess"


@pytest.mark.parametrize("viewer", ["admin", "member", "superuser"])
async def test_the_pending_address_shows_to_whoever_sees_the_users_email(gql, cast, smtp, viewer):
    await change(gql, cast.guest_a, "gus@new.example")
    who = {"admin": cast.admin_a, "member": cast.member_a, "superuser": cast.superuser}[viewer]
    seen = (await gql(USER, {"id": cast.guest_a.id}, as_=who)).ok()["user"]
    assert seen["pendingEmail"] == "gus@new.example"


async def test_requests_and_confirmations_are_audited(gql, cast, smtp):
    old = cast.member_a.user.email
    await change(gql, cast.member_a, as_=cast.admin_a)
    await confirm(gql, await mailed_token(smtp, "/confirm-email", 2, to=NEW))
    asked = await AuditEvent.get(action="user.email_change_requested")
    assert (asked.actor_id, asked.target_id, asked.changes) == (
        cast.admin_a.user.id, cast.member_a.id, {"pendingEmail": NEW},
    )  # fmt: skip
    done = await AuditEvent.get(action="user.email_changed")
    assert (done.actor_id, done.target_id, done.changes) == (
        None, cast.member_a.id, {"email": NEW, "previousEmail": old},
    )  # fmt: skip


async def test_without_smtp_a_new_address_is_email_not_configured(gql, cast):
    answer = await change(gql, cast.member_a)
    assert answer["__typename"] == "EmailNotConfigured"
    assert (await User.get(id=cast.member_a.user.id)).pending_email is None


async def test_the_stored_mail_holds_no_live_link(gql, cast, smtp_down):
    await change(gql, cast.member_a)
    rows = await OutboxMail.all()
    assert len(rows) == 2
    assert all("token=" not in row.text_body + (row.html_body or "") for row in rows)
