"""requestPasswordReset and resetPassword, end to end with real mail (issue 14, part 1)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from config import Config, configure, get_config
from domain.auth.sessions import ClientInfo, start_session
from domain.outbox import deliver_due_mail
from models import AuditEvent, AuthMethod, OutboxMail, User
from tests.account_security.helpers import (
    NEW_PASSWORD,
    ask_for_reset,
    login,
    mailed_token,
    reset,
)
from tests.account_security.queries import CHANGE_PASSWORD, ME
from tests.factories import DEFAULT_PASSWORD
from tests.secrets_seen import remember
from tests.smtp_server import link_in, text_of

ASKED = {"__typename": "PasswordResetRequested", "ok": True}


async def test_a_password_user_is_mailed_a_link_that_sets_a_new_password_and_signs_in(
    gql, cast, smtp
):
    assert await ask_for_reset(gql, cast.member_a.user.email) == ASKED
    [message] = await smtp.wait_for(1)
    assert message["To"] == cast.member_a.user.email
    assert link_in(message, "/reset-password").startswith(
        "http://tenantry.test/reset-password?token="
    )
    token = await mailed_token(smtp, "/reset-password")

    answer = await reset(gql, token)

    assert answer["__typename"] == "LoginSuccess"
    assert answer["user"]["username"] == "mallory"
    me = await gql(ME, token=answer["sessionToken"])
    assert me.ok()["me"]["username"] == "mallory"
    assert await login(gql, "mallory", NEW_PASSWORD) == "LoginSuccess"
    assert await login(gql, "mallory", DEFAULT_PASSWORD) == "InvalidCredentials"


async def test_the_address_matches_in_any_case(gql, cast, smtp):
    await ask_for_reset(gql, cast.member_a.user.email.upper())
    [message] = await smtp.wait_for(1)
    assert message["To"] == cast.member_a.user.email


async def test_a_reset_ends_every_session_of_the_user(gql, cast, make, smtp):
    other_session = await make.person(cast.tenant_a, username="two-browsers")
    await ask_for_reset(gql, other_session.user.email)
    token = await mailed_token(smtp, "/reset-password")
    second = await start_session(other_session.user, ClientInfo())
    remember(second)

    new_session = (await reset(gql, token))["sessionToken"]

    for ended in (other_session.token, second):
        assert (await gql(ME, token=ended)).ok()["me"] is None
    assert (await gql(ME, token=new_session)).ok()["me"]["username"] == "two-browsers"
    # Nobody else's session ends.
    assert (await gql(ME, as_=cast.member_a)).ok()["me"]["username"] == "mallory"


@pytest.mark.parametrize(
    "who",
    ["unknown address", "unknown tenant", "PAM user", "SAML user", "unverified sign-up",
     "user of another tenant"],
)  # fmt: skip
async def test_every_address_gets_the_same_answer_and_only_password_users_get_mail(
    gql, cast, make, smtp, who
):
    await make.user(cast.tenant_a, username="pat", email="pat@acme.test",
                    auth_method=AuthMethod.PAM)  # fmt: skip
    await make.user(cast.tenant_a, username="sam", email="sam@acme.test",
                    auth_method=AuthMethod.SAML)  # fmt: skip
    await make.user(cast.tenant_a, username="una", email="una@acme.test", email_verified=False)
    tenant, email = {
        "unknown address": ("acme", "nobody@acme.test"),
        "unknown tenant": ("no-such-tenant", cast.member_a.user.email),
        "PAM user": ("acme", "pat@acme.test"),
        "SAML user": ("acme", "sam@acme.test"),
        "unverified sign-up": ("acme", "una@acme.test"),
        "user of another tenant": ("acme", cast.member_b.user.email),
    }[who]

    assert await ask_for_reset(gql, email, tenant) == ASKED

    assert not await OutboxMail.exists()
    assert not await User.filter(password_reset_nonce__isnull=False).exists()


async def test_a_password_users_answer_is_the_same_as_anyone_elses(gql, cast, smtp):
    assert await ask_for_reset(gql, cast.member_a.user.email) == ASKED
    assert await ask_for_reset(gql, "nobody@acme.test") == ASKED


@pytest.fixture
def even_answers(app):
    before = get_config()
    configure(Config(**{**before.model_dump(), "password_reset_answer_seconds": 0.3}))
    yield 0.3
    configure(before)


async def test_every_answer_takes_the_configured_time_account_or_not(gql, cast, smtp, even_answers):
    timings = []
    for email in (cast.member_a.user.email, "nobody@acme.test"):
        started = time.monotonic()
        assert await ask_for_reset(gql, email) == ASKED
        timings.append(time.monotonic() - started)
    assert min(timings) >= even_answers
    assert max(timings) < even_answers + 0.25


async def test_each_user_gets_mail_in_their_own_tenant_only(gql, cast, make, smtp):
    # The same address in two tenants: two accounts, each reset on its own.
    shared = "shared@example.org"
    here = await make.user(cast.tenant_a, username="shared-a", email=shared)
    there = await make.user(cast.tenant_b, username="shared-b", email=shared)
    await ask_for_reset(gql, shared, "globex")
    token = await mailed_token(smtp, "/reset-password")
    assert "globex" in text_of(smtp.messages[0])

    assert (await reset(gql, token))["user"]["username"] == "shared-b"
    assert await login(gql, "shared-b", NEW_PASSWORD, tenant="globex") == "LoginSuccess"
    assert await login(gql, "shared-a", DEFAULT_PASSWORD) == "LoginSuccess"
    assert (await User.get(id=here.id)).password_hash != (await User.get(id=there.id)).password_hash


async def test_the_link_works_once(gql, cast, smtp):
    await ask_for_reset(gql, cast.member_a.user.email)
    token = await mailed_token(smtp, "/reset-password")
    assert (await reset(gql, token))["__typename"] == "LoginSuccess"
    assert (await reset(gql, token, "yet another passphrase"))["__typename"] == "InvalidToken"
    assert await login(gql, "mallory", NEW_PASSWORD) == "LoginSuccess"


async def test_a_newer_link_replaces_the_older_one(gql, cast, smtp):
    await ask_for_reset(gql, cast.member_a.user.email)
    older = await mailed_token(smtp, "/reset-password")
    await ask_for_reset(gql, cast.member_a.user.email)
    newer = await mailed_token(smtp, "/reset-password", count=2)
    assert older != newer
    assert (await reset(gql, older))["__typename"] == "InvalidToken"
    assert (await reset(gql, newer))["__typename"] == "LoginSuccess"


async def test_changing_the_password_ends_a_mailed_link(gql, cast, smtp):
    await ask_for_reset(gql, cast.member_a.user.email)
    token = await mailed_token(smtp, "/reset-password")
    change = {"input": {"currentPassword": DEFAULT_PASSWORD, "newPassword": "changed in between"}}
    changed = (await gql(CHANGE_PASSWORD, change, as_=cast.member_a)).payload("changePassword")
    assert changed["__typename"] == "UserPayload"
    assert (await reset(gql, token))["__typename"] == "InvalidToken"
    assert await login(gql, "mallory", "changed in between") == "LoginSuccess"


async def test_an_expired_a_forged_and_a_junk_link_are_refused_alike(gql, cast, smtp):
    await ask_for_reset(gql, cast.member_a.user.email)
    token = await mailed_token(smtp, "/reset-password")
    user_id, _, mac = token.partition(".")
    forged = await reset(gql, f"{user_id}.{'A' * len(mac)}")
    junk = await reset(gql, "junk")
    await User.filter(id=user_id).update(
        password_reset_expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    expired = await reset(gql, token)
    assert forged == junk == expired
    assert expired["__typename"] == "InvalidToken"
    assert await login(gql, "mallory", DEFAULT_PASSWORD) == "LoginSuccess"


async def test_a_verification_link_is_no_reset_link(gql, cast, smtp):
    from domain.secrets import new_nonce, signed_link_token

    nonce = new_nonce()
    await User.filter(id=cast.member_a.user.id).update(
        verification_nonce=nonce,
        verification_expires_at=datetime.now(UTC) + timedelta(hours=1),
        password_reset_nonce=nonce,
        password_reset_expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    verification = signed_link_token("verification", cast.member_a.id, nonce)
    assert (await reset(gql, verification))["__typename"] == "InvalidToken"


@pytest.mark.parametrize("password", ["short", "mallory", "acme", "password123", "x" * 1025])
async def test_a_password_the_rules_refuse_changes_nothing_and_keeps_the_link(
    gql, cast, smtp, password
):
    await ask_for_reset(gql, cast.member_a.user.email)
    token = await mailed_token(smtp, "/reset-password")
    refused = await reset(gql, token, password)
    assert (refused["__typename"], refused["field"]) == ("ValidationError", "newPassword")
    assert await login(gql, "mallory", DEFAULT_PASSWORD) == "LoginSuccess"
    assert (await gql(ME, as_=cast.member_a)).ok()["me"]["username"] == "mallory"
    assert (await reset(gql, token))["__typename"] == "LoginSuccess"


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@b", "two@@example.com", "x" * 300])
async def test_a_malformed_address_is_a_validation_error(gql, cast, smtp, email):
    answer = await ask_for_reset(gql, email)
    assert (answer["__typename"], answer["field"]) == ("ValidationError", "email")
    assert not await OutboxMail.exists()


async def test_without_smtp_every_address_answers_email_not_configured(gql, cast):
    for email in (cast.member_a.user.email, "nobody@acme.test"):
        assert (await ask_for_reset(gql, email))["__typename"] == "EmailNotConfigured"


async def test_a_pam_user_who_holds_a_link_cannot_use_it_after_becoming_pam(gql, cast, smtp):
    await ask_for_reset(gql, cast.member_a.user.email)
    token = await mailed_token(smtp, "/reset-password")
    await User.filter(id=cast.member_a.user.id).update(auth_method=AuthMethod.PAM)
    assert (await reset(gql, token))["__typename"] == "InvalidToken"


async def test_asking_and_resetting_are_audited_without_the_link(gql, cast, smtp):
    await ask_for_reset(gql, cast.member_a.user.email)
    token = await mailed_token(smtp, "/reset-password")
    await reset(gql, token)
    asked = await AuditEvent.get(action="user.password_reset_requested")
    assert (asked.actor_id, asked.target_id, asked.tenant_id) == (
        None, cast.member_a.id, cast.tenant_a.id,
    )  # fmt: skip
    assert asked.changes == {"by": "self-service"}
    done = await AuditEvent.get(action="user.password_reset")
    assert (done.target_id, done.actor_name, done.changes) == (
        cast.member_a.id, "mallory", {"sessionsEnded": 1},
    )  # fmt: skip
    every_event = str([event.changes for event in await AuditEvent.all()])
    assert token.split(".")[1] not in every_event


async def test_the_stored_mail_holds_no_live_link(gql, cast, smtp_down):
    await ask_for_reset(gql, cast.member_a.user.email)
    [row] = await OutboxMail.all()
    assert "${link}" in row.text_body
    assert "token=" not in row.text_body + (row.html_body or "")


async def test_a_link_mailed_late_still_works_and_a_link_replaced_before_sending_is_not_sent(
    gql, cast, smtp_down
):
    await ask_for_reset(gql, cast.member_a.user.email)
    await ask_for_reset(gql, cast.member_a.user.email)
    assert await OutboxMail.all().count() == 1
    # The app's worker, woken by each request, may still be trying the replaced message when
    # the second request returns; it tries messages one at a time, so once it has tried the
    # newest one it is done with the old one, and the server can come up.
    await outbox_has_tried_everything()
    smtp_down.start()
    # The app's worker may have tried (and failed) already: step over its backoff.
    await deliver_due_mail(now=datetime.now(UTC) + timedelta(hours=2))
    token = await mailed_token(smtp_down, "/reset-password")
    assert (await reset(gql, token))["__typename"] == "LoginSuccess"


async def outbox_has_tried_everything(within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while await OutboxMail.filter(attempts=0).exists():
        assert time.monotonic() < deadline, "the outbox worker never tried the message"
        await asyncio.sleep(0.02)


DEACTIVATE = "mutation($id: ID!) { deactivateUser(id: $id) { __typename } }"


async def test_a_deactivated_user_gets_the_same_answer_and_no_mail(gql, cast, smtp):
    await gql(DEACTIVATE, {"id": cast.member_a.id}, as_=cast.admin_a)
    assert await ask_for_reset(gql, cast.member_a.user.email) == ASKED
    assert not await OutboxMail.exists()


async def test_a_link_mailed_before_a_deactivation_no_longer_works(gql, cast, smtp):
    await ask_for_reset(gql, cast.member_a.user.email)
    token = await mailed_token(smtp, "/reset-password")
    deactivated = await gql(DEACTIVATE, {"id": cast.member_a.id}, as_=cast.admin_a)
    assert deactivated.payload("deactivateUser")["__typename"] == "UserPayload"
    assert (await reset(gql, token))["__typename"] == "InvalidToken"
    assert await login(gql, "mallory", NEW_PASSWORD) == "InvalidCredentials"
