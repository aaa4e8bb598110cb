"""Link tokens never reach a log line: not from the API, the pages or the mail worker."""

from __future__ import annotations

import logging

from tests.account_security.helpers import ask_for_reset, mailed_token, reset
from tests.account_security.queries import CONFIRM_EMAIL, UPDATE_EMAIL
from tests.own_pages import FROM_OUR_PAGE
from tests.secrets_seen import from_the_app


async def test_a_whole_reset_and_e_mail_change_log_no_token(http, gql, cast, smtp, caplog):
    caplog.set_level(logging.DEBUG)
    await ask_for_reset(gql, cast.member_a.user.email)
    reset_token = await mailed_token(smtp, "/reset-password")
    await http.get("/reset-password", params={"token": reset_token})
    await reset(gql, "x" + reset_token)  # a near miss, refused
    form = {"token": reset_token, "password": "short"}
    await http.post("/reset-password", data=form, headers=FROM_OUR_PAGE)
    await reset(gql, reset_token)

    await gql(UPDATE_EMAIL, {"id": cast.admin_a.id, "email": "alice@new.example"}, as_=cast.admin_a)
    change_token = await mailed_token(smtp, "/confirm-email", to="alice@new.example")
    await http.get("/confirm-email", params={"token": change_token})
    await gql(CONFIRM_EMAIL, {"token": change_token})

    logged = "\n".join(
        caplog.handler.format(record) for record in caplog.records if from_the_app(record)
    )
    assert "reset-password" in logged or "/graphql" in logged  # the app did log
    for token in (reset_token, change_token):
        assert token not in logged
        assert token.split(".")[1] not in logged
