"""Single use under concurrency: of simultaneous requests with one link, exactly one wins.
Meaningful on PostgreSQL (real concurrent transactions); SQLite serialises them anyway."""

from __future__ import annotations

import asyncio

import pytest

from models import Session, User
from tests.account_security.helpers import ask_for_reset, mailed_token
from tests.account_security.queries import CONFIRM_EMAIL, RESET, UPDATE_EMAIL
from tests.secrets_seen import remember
from tests.smtp_server import token_in

pytestmark = pytest.mark.postgres


async def test_two_resets_with_one_link_make_exactly_one_password(gql, cast, smtp):
    await ask_for_reset(gql, cast.member_a.user.email)
    token = await mailed_token(smtp, "/reset-password")
    attempts = [
        gql(RESET, {"input": {"token": token, "newPassword": f"racing passphrase {n}"}})
        for n in range(4)
    ]
    answers = [r.payload("resetPassword")["__typename"] for r in await asyncio.gather(*attempts)]
    assert sorted(answers) == ["InvalidToken"] * 3 + ["LoginSuccess"]
    assert await Session.filter(user_id=cast.member_a.user.id).count() == 1


async def test_two_confirmations_with_one_link_change_the_address_once(gql, cast, smtp):
    await gql(UPDATE_EMAIL, {"id": cast.member_a.id, "email": "m@new.example"}, as_=cast.member_a)
    token = await mailed_token(smtp, "/confirm-email", 2, to="m@new.example")
    attempts = [gql(CONFIRM_EMAIL, {"token": token}) for _ in range(4)]
    answers = [
        r.payload("confirmEmailChange")["__typename"] for r in await asyncio.gather(*attempts)
    ]
    assert sorted(answers) == ["InvalidToken"] * 3 + ["UserPayload"]
    assert (await User.get(id=cast.member_a.user.id)).email == "m@new.example"


async def test_two_users_confirming_one_address_at_once_end_with_one_holder(gql, cast, smtp):
    shared = "both@new.example"
    for person in (cast.member_a, cast.guest_a):
        await gql(UPDATE_EMAIL, {"id": person.id, "email": shared}, as_=person)
    await smtp.wait_for(4)
    tokens = [token_in(m, "/confirm-email") for m in smtp.messages if m["To"] == shared]
    assert len(tokens) == 2
    for token in tokens:
        remember(token)
    answers = [
        r.payload("confirmEmailChange")["__typename"]
        for r in await asyncio.gather(*(gql(CONFIRM_EMAIL, {"token": t}) for t in tokens))
    ]
    assert sorted(answers) == ["AlreadyExists", "UserPayload"]
    assert await User.filter(email_key=shared).count() == 1
