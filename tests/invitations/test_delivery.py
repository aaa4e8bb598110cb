"""Mail leaves the request path: a dead or slow SMTP server never slows or fails sending."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tortoise import connections

from models import EmailStatus, OutboxMail
from tests.conftest import ALL_TABLES
from tests.invitations.helpers import (
    PASSWORD,
    email_status,
    invite,
    mailed_token,
    run_retries_until_settled,
)
from tests.invitations.queries import ACCEPT, LIST, RESEND
from tests.sqlite_files import read_elsewhere


async def test_smtp_down_marks_the_invitation_failed_with_the_reason(gql, cast, smtp_down, config):
    invitation = await invite(gql, cast.admin_a)
    assert invitation["emailStatus"] == "PENDING"
    settled = await run_retries_until_settled(invitation["id"])
    assert settled.email_status is EmailStatus.FAILED
    listed = (await gql(LIST, as_=cast.admin_a)).ok()["invitations"]["edges"][0]["node"]
    assert listed["emailStatus"] == "FAILED"
    assert "Could not reach the SMTP server" in listed["emailError"]
    assert listed["lastSentAt"] is None
    mail = await OutboxMail.get(invitation_id=invitation["id"])
    assert mail.attempts == config.mail_max_attempts


async def test_resend_after_the_server_is_back_sends_it(gql, cast, smtp_down):
    invitation = await invite(gql, cast.admin_a)
    await run_retries_until_settled(invitation["id"])
    smtp_down.start()
    resent = (await gql(RESEND, {"id": invitation["id"]}, as_=cast.admin_a)).payload(
        "resendInvitation"
    )
    assert resent["invitation"]["emailStatus"] == "PENDING"
    assert resent["invitation"]["emailError"] is None
    token = await mailed_token(smtp_down)
    settled = await run_retries_until_settled(invitation["id"])
    assert settled.email_status is EmailStatus.SENT
    assert settled.email_error is None and settled.last_sent_at is not None
    accepted = await gql(ACCEPT, {"input": {"token": token, "password": PASSWORD}})
    assert accepted.payload("acceptInvitation")["__typename"] == "LoginSuccess"


async def test_a_refusing_server_gives_its_answer_as_the_reason(gql, cast, smtp):
    smtp.mailbox.refuse_with = "554 5.7.1 Relaying denied"
    invitation = await invite(gql, cast.admin_a)
    settled = await run_retries_until_settled(invitation["id"])
    assert settled.email_status is EmailStatus.FAILED
    assert "554" in settled.email_error and "Relaying denied" in settled.email_error


async def test_a_slow_server_does_not_slow_sending_the_invitation(gql, cast, smtp):
    smtp.mailbox.delay_seconds = 2.0
    started = time.monotonic()
    invitation = await invite(gql, cast.admin_a)
    assert time.monotonic() - started < 1.0
    assert invitation["emailStatus"] == "PENDING"
    await smtp.wait_for(1, within=15)
    for _ in range(100):
        if (await email_status(invitation["id"])).email_status is EmailStatus.SENT:
            break
        await asyncio.sleep(0.05)
    assert (await email_status(invitation["id"])).email_status is EmailStatus.SENT


async def test_a_database_dump_holds_no_live_token(gql, cast, smtp, database_url):
    invitation = await invite(gql, cast.admin_a)
    token = await mailed_token(smtp)
    link_token = invitation["link"].split("?token=", 1)[1]
    assert link_token == token
    mac = token.split(".", 1)[1]
    await run_retries_until_settled(invitation["id"])
    connection = connections.get("default")
    dump = []
    for table in ALL_TABLES:
        _, rows = await connection.execute_query(f'SELECT * FROM "{table}"')
        dump.append(repr([dict(row) for row in rows]))
    assert mac not in "".join(dump)
    if database_url.startswith("sqlite://"):
        path = Path(database_url.removeprefix("sqlite://"))
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                raw = read_elsewhere(file)
                assert mac.encode() not in raw
                assert token.encode() not in raw
