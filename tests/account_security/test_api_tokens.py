"""A request made with an API token starts no e-mail change (reset links would follow the new
address, outliving the token), and takes no part in password recovery, which is public."""

from __future__ import annotations

from models import OutboxMail, User
from tests.account_security.helpers import ask_for_reset, mailed_token, reset
from tests.account_security.queries import CONFIRM_EMAIL, UPDATE_EMAIL
from tests.tokens.helpers import refused_as_a_token_request, token_of


async def test_a_token_request_starts_no_e_mail_change_not_even_its_owners(gql, cast, make, smtp):
    for owner, target in ((cast.member_a, cast.member_a), (cast.admin_a, cast.member_a)):
        secret = await token_of(make, owner)
        result = await gql(
            UPDATE_EMAIL, {"id": target.id, "email": "attacker@evil.example"}, token=secret
        )
        refused_as_a_token_request(result)
    assert not await User.filter(pending_email__isnull=False).exists()
    assert not await OutboxMail.exists()


async def test_a_token_request_still_changes_roles_and_cancels_nothing_it_should_not(
    gql, cast, make, smtp
):
    secret = await token_of(make, cast.admin_a)
    result = await gql(
        "mutation($id: ID!) { updateUser(input: {id: $id, role: GUEST}) { __typename } }",
        {"id": cast.member_a.id}, token=secret,
    )  # fmt: skip
    assert result.payload("updateUser")["__typename"] == "UserPayload"


async def test_a_token_request_neither_asks_for_nor_uses_a_reset_link(gql, cast, make, smtp):
    secret = await token_of(make, cast.member_a)
    refused_as_a_token_request(
        await gql(
            "mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) "
            "{ __typename } }",
            {"i": {"tenant": "acme", "email": cast.member_a.user.email}},
            token=secret,
        )  # fmt: skip
    )
    await ask_for_reset(gql, cast.member_a.user.email)
    link = await mailed_token(smtp, "/reset-password")
    refused_as_a_token_request(
        await gql(
            "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { __typename } }",
            {"i": {"token": link, "newPassword": "a brand new passphrase"}},
            token=secret,
        )  # fmt: skip
    )
    assert (await reset(gql, link))["__typename"] == "LoginSuccess"


async def test_a_token_request_confirms_no_e_mail_change(gql, cast, make, smtp):
    await gql(UPDATE_EMAIL, {"id": cast.member_a.id, "email": "m@new.example"}, as_=cast.member_a)
    link = await mailed_token(smtp, "/confirm-email", 2, to="m@new.example")
    secret = await token_of(make, cast.member_a)
    refused_as_a_token_request(await gql(CONFIRM_EMAIL, {"token": link}, token=secret))
    assert (await User.get(id=cast.member_a.user.id)).pending_email == "m@new.example"
