"""Steps of the account-security flows, taken through the API as people would take them."""

from __future__ import annotations

import time
from email.message import EmailMessage
from typing import Any

from tests.account_security.queries import LOGIN, REQUEST_RESET, RESET
from tests.secrets_seen import remember
from tests.smtp_server import SmtpServer, token_in

NEW_PASSWORD = "a brand new passphrase"


async def ask_for_reset(gql: Any, email: str, tenant: str = "acme", **options: Any) -> dict:
    result = await gql(REQUEST_RESET, {"input": {"tenant": tenant, "email": email}}, **options)
    return result.payload("requestPasswordReset")


async def reset(gql: Any, token: str, password: str = NEW_PASSWORD, **options: Any) -> dict:
    result = await gql(RESET, {"input": {"token": token, "newPassword": password}}, **options)
    return result.payload("resetPassword")


async def mailed_token(
    smtp: SmtpServer, path: str, count: int = 1, *, to: str | None = None
) -> str:
    """The token in the `count`th message to arrive (or the one to `to`, once `count` have
    arrived); remembered as a secret, which no log line may hold."""
    messages = await smtp.wait_for(count)
    if to is None:
        message = messages[count - 1]
    else:
        message = await message_to(smtp, to)
    token = token_in(message, path)
    remember(token)
    return token


async def message_to(smtp: SmtpServer, address: str, within: float = 10.0) -> EmailMessage:
    """The newest message to `address`, waiting for it to arrive."""
    deadline = time.monotonic() + within
    while True:
        found = [m for m in smtp.messages if m["To"] == address]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            raise AssertionError(f"no message to {address}")
        await smtp.wait_for(len(smtp.messages) + 1, within=deadline - time.monotonic())


async def login(gql: Any, username: str, password: str, tenant: str = "acme") -> str:
    variables = {"input": {"tenant": tenant, "username": username, "password": password}}
    return (await gql(LOGIN, variables)).payload("login")["__typename"]
