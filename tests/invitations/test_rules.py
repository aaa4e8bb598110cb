"""The rules of sending and accepting: uniqueness, configuration, rate limits, concurrency."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from domain.ratelimit import LIMITS, Action, limiter
from models import AuthMethod, Invitation, OutboxMail, User
from tests.invitations.helpers import PASSWORD, invitation_input, invite, mailed_token
from tests.invitations.queries import ACCEPT, SEND


@pytest.mark.parametrize(
    ("username", "email", "field"),
    [
        ("Alice", "new@invitee.example", "username"),  # a user, in another case
        ("newbie", "ALICE@acme.example.com", "email"),  # a user's e-mail, in another case
        ("nina", "new@invitee.example", "username"),  # already invited
        ("newbie", "Nina@invitee.example", "email"),  # already invited
    ],
)
async def test_a_taken_or_already_invited_name_is_refused(gql, cast, smtp, username, email, field):
    await invite(gql, cast.admin_a, "nina")
    result = await gql(SEND, {"input": invitation_input(username, email=email)}, as_=cast.admin_a)
    payload = result.payload("sendInvitation")
    assert payload["__typename"] == "AlreadyExists"
    assert payload["field"] == field


async def test_the_same_name_may_be_invited_in_another_tenant(gql, cast, smtp):
    await invite(gql, cast.admin_a, "nina")
    await invite(gql, cast.admin_b, "nina")
    assert await Invitation.all().count() == 2


async def test_invalid_names_are_validation_errors(gql, cast, smtp):
    for overrides, field in (
        ({"username": "no spaces"}, "username"),
        ({"email": "a@b@c.example"}, "email"),
    ):
        payload = (
            await gql(SEND, {"input": {**invitation_input("x"), **overrides}}, as_=cast.admin_a)
        ).payload("sendInvitation")
        assert (payload["__typename"], payload["field"]) == ("ValidationError", field)


async def test_without_smtp_sending_answers_email_not_configured(gql, cast):
    payload = (await gql(SEND, {"input": invitation_input()}, as_=cast.admin_a)).payload(
        "sendInvitation"
    )
    assert payload["__typename"] == "EmailNotConfigured"
    assert await Invitation.all().count() == 0 and await OutboxMail.all().count() == 0


async def test_sending_is_rate_limited(gql, cast, smtp):
    answers = []
    for n in range(LIMITS[Action.SEND_INVITATION].per_account.amount + 1):
        result = await gql(SEND, {"input": invitation_input(f"user{n}")}, as_=cast.admin_a)
        answers.append(result.payload("sendInvitation"))
    assert answers[-1]["__typename"] == "RateLimited"
    assert answers[-1]["retryAfterSeconds"] >= 1
    assert all(a["__typename"] == "InvitationPayload" for a in answers[:-1])


async def test_accepting_is_rate_limited_per_client(gql, cast, smtp):
    answers = []
    for _ in range(21):
        guess = f"{uuid.uuid4()}.{'A' * 43}"  # shaped like a token, each for another id
        result = await gql(ACCEPT, {"input": {"token": guess, "password": PASSWORD}})
        answers.append(result.payload("acceptInvitation")["__typename"])
    assert answers[:20] == ["InvalidToken"] * 20
    assert answers[20] == "RateLimited"


async def test_guessing_one_invitation_is_rate_limited_per_invitation(gql, cast, smtp):
    invitation = await invite(gql, cast.admin_a)
    answers = []
    for _ in range(11):
        guess = f"{invitation['id']}.{'A' * 43}"
        result = await gql(ACCEPT, {"input": {"token": guess, "password": PASSWORD}})
        answers.append(result.payload("acceptInvitation")["__typename"])
    assert answers == ["InvalidToken"] * 10 + ["RateLimited"]


async def test_accepting_with_a_pam_invitation_checks_the_system_password(
    gql, cast, smtp, system_account
):
    await invite(gql, cast.admin_a, system_account.username, authMethod="PAM")
    token = await mailed_token(smtp)
    wrong = await gql(ACCEPT, {"input": {"token": token, "password": "not the password"}})
    assert wrong.payload("acceptInvitation")["__typename"] == "InvalidCredentials"
    right = await gql(ACCEPT, {"input": {"token": token, "password": system_account.password}})
    assert right.payload("acceptInvitation")["__typename"] == "LoginSuccess"
    user = await User.get(username=system_account.username)
    assert user.auth_method is AuthMethod.PAM and user.password_hash is None


@pytest.mark.postgres
async def test_sixteen_concurrent_acceptances_make_exactly_one_user(gql, cast, smtp):
    await invite(gql, cast.admin_a, "nina")
    token = await mailed_token(smtp)
    limiter().enabled = False  # the race, not the limiter, is under test
    try:
        results = await asyncio.gather(
            *(gql(ACCEPT, {"input": {"token": token, "password": PASSWORD}}) for _ in range(16))
        )
    finally:
        limiter().enabled = True
    kinds = sorted(r.payload("acceptInvitation")["__typename"] for r in results)
    assert kinds == ["InvalidToken"] * 15 + ["LoginSuccess"]
    assert await User.filter(username_key="nina").count() == 1
    assert await Invitation.all().count() == 0
