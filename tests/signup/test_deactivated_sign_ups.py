"""A sign-up an admin deactivated before its address was confirmed: its link signs nobody in
and activates nothing, and signing up again with the address does not revive it."""

from __future__ import annotations

from datetime import UTC, datetime

from models import OutboxMail, Session, User, UserStatus
from tests.signup.queries import SIGN_UP, VERIFY
from tests.smtp_server import token_in

PASSWORD = "a long and private passphrase"
SIGN_UP_ANA = {
    "input": {
        "tenant": "acme",
        "username": "ana",
        "email": "ana@example.com",
        "password": PASSWORD,
    }
}


async def deactivate_ana() -> User:
    await User.filter(username="ana").update(deactivated_at=datetime.now(UTC))
    return await User.get(username="ana")


async def test_the_link_of_a_deactivated_sign_up_is_refused_and_activates_nothing(
    gql, whitelist, smtp
):
    await gql(SIGN_UP, SIGN_UP_ANA)
    token = token_in((await smtp.wait_for(1))[0], "/verify-email")
    ana = await deactivate_ana()
    answer = (await gql(VERIFY, {"token": token})).payload("verifyEmail")
    assert answer["__typename"] == "InvalidToken"
    assert not await Session.filter(user_id=ana.id).exists()
    assert (await User.get(id=ana.id)).status is UserStatus.DEACTIVATED
    assert (await User.get(id=ana.id)).email_verified is False


async def test_signing_up_again_does_not_replace_a_deactivated_sign_up(gql, whitelist, smtp):
    await gql(SIGN_UP, SIGN_UP_ANA)
    await smtp.wait_for(1)
    ana = await deactivate_ana()
    another_name = {"input": {**SIGN_UP_ANA["input"], "username": "ana2"}}
    again = (await gql(SIGN_UP, another_name)).payload("signUp")
    assert again["__typename"] == "SignUpSuccess"  # like any known address
    assert await OutboxMail.filter(user_id=ana.id).count() == 1  # no new link
    assert (await User.get(id=ana.id)).verification_nonce == ana.verification_nonce
    assert (await User.get(id=ana.id)).username == "ana"
