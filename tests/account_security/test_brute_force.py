"""The limits on guessing and on mail floods: per client, and per address, link or user."""

from __future__ import annotations

from tests.account_security.helpers import NEW_PASSWORD, ask_for_reset, mailed_token, reset
from tests.account_security.queries import CONFIRM_EMAIL, SEND_RESET, UPDATE_EMAIL


def junk_token(n: int) -> str:
    return f"0000{n:04d}-0000-0000-0000-000000000000.{'A' * 43}"


async def test_asking_for_one_address_is_limited_whether_or_not_it_has_an_account(gql, cast, smtp):
    for email in (cast.member_a.user.email, "nobody@acme.test"):
        answers = [(await ask_for_reset(gql, email))["__typename"] for _ in range(6)]
        assert answers == ["PasswordResetRequested"] * 5 + ["RateLimited"]
    # One mail at most: each new link replaced the one before while its mail still waited.
    assert len(await smtp.wait_for(1)) >= 1


async def test_asking_for_many_addresses_is_limited_per_client(gql, cast, smtp):
    answers = [(await ask_for_reset(gql, f"n{n}@acme.test"))["__typename"] for n in range(21)]
    assert answers == ["PasswordResetRequested"] * 20 + ["RateLimited"]


async def test_guessing_reset_links_is_limited_per_client(gql, cast, smtp):
    answers = [(await reset(gql, junk_token(n)))["__typename"] for n in range(21)]
    assert answers == ["InvalidToken"] * 20 + ["RateLimited"]


async def test_guessing_one_users_reset_link_is_limited_below_the_clients_limit(gql, cast, smtp):
    await ask_for_reset(gql, cast.member_a.user.email)
    token = await mailed_token(smtp, "/reset-password")
    forged = f"{cast.member_a.id}.{'A' * 43}"
    answers = [(await reset(gql, forged))["__typename"] for _ in range(10)]
    assert answers == ["InvalidToken"] * 10
    # The 11th try at this link is refused, even the genuine one: the client has tried 11
    # links of its 20.
    assert (await reset(gql, token, NEW_PASSWORD))["__typename"] == "RateLimited"
    assert (await reset(gql, junk_token(1)))["__typename"] == "InvalidToken"


async def test_guessing_e_mail_change_links_is_limited_per_client(gql, cast, smtp):
    answers = [
        (await gql(CONFIRM_EMAIL, {"token": junk_token(n)})).payload("confirmEmailChange")[
            "__typename"
        ]
        for n in range(21)
    ]
    assert answers == ["InvalidToken"] * 20 + ["RateLimited"]


async def test_an_admin_mails_one_user_a_few_reset_links_an_hour(gql, cast, smtp):
    answers = [
        (await gql(SEND_RESET, {"id": cast.member_a.id}, as_=cast.admin_a)).payload(
            "sendPasswordReset"
        )["__typename"]
        for _ in range(6)
    ]
    assert answers == ["PasswordResetRequested"] * 5 + ["RateLimited"]


async def test_one_users_address_changes_a_few_times_an_hour(gql, cast, smtp):
    answers = [
        (
            await gql(
                UPDATE_EMAIL,
                {"id": cast.member_a.id, "email": f"m{n}@example.org"},
                as_=cast.member_a,
            )  # fmt: skip
        ).payload("updateUser")["__typename"]
        for n in range(6)
    ]
    assert answers == ["UserPayload"] * 5 + ["RateLimited"]
