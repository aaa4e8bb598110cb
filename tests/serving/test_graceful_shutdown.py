"""SIGTERM drains a `tenantry serve` process: it takes no new connection, lets the requests in
flight answer, finishes and records the mail it is sending, hands back the mail claims it still
holds, closes subscriptions with 1001 (going away), and exits 0."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.cli.test_commands import free_port
from tests.serving.processes import Serve, sign_in, start
from tests.serving.round_robin import RoundRobin
from tests.smtp_server import SmtpServer
from tests.subscriptions.client import signed_in
from tests.subscriptions.test_reach import INVITATIONS

INVITE = """
mutation($input: SendInvitationInput!) { sendInvitation(input: $input) { __typename } }
"""
ME = "{ me { username } }"
RESET = """
mutation { requestPasswordReset(input: {tenant: "default", email: "nobody@example.com"}) {
  __typename } }
"""


def _invitation(username: str) -> dict[str, Any]:
    return {"input": {"username": username, "email": f"{username}@invitee.example",
                      "role": "GUEST"}}  # fmt: skip


async def _invite(serve: Serve, token: str, username: str) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(
            f"{serve.url}/graphql",
            json={"query": INVITE, "variables": _invitation(username)},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.json()["data"]["sendInvitation"]["__typename"] == "InvitationPayload", answer


async def _outbox(database_url: str) -> list[tuple[str, str, bool]]:
    """(address, status, claimed) of every outbox row."""
    query = "SELECT to_address, status, claimed_until IS NOT NULL FROM outbox_mail"
    if database_url.startswith("sqlite://"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite://"))) as db:
            return [(a, s, bool(c)) for a, s, c in db.execute(query)]
    connection = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        return [tuple(row) for row in await connection.fetch(query)]  # type: ignore[misc]
    finally:
        await connection.close()


async def _until(condition: Any, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not await condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.05)


def _field(answer: dict[str, Any], name: str) -> Any:
    return (answer.get("data") or {}).get(name)


class Load:
    """Clients that each send, one after another, an invitation (a write and a mail) and a
    read, every request on a new connection; they remember every answer that was not right."""

    def __init__(self, port: int, token: str) -> None:
        self.url = f"http://127.0.0.1:{port}/graphql"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.invited: list[str] = []
        self.failures: list[str] = []
        self.answered = 0
        self._stop = asyncio.Event()

    async def client(self, number: int) -> None:
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:
            for turn in range(100_000):
                if self._stop.is_set():
                    return
                username = f"load{number}x{turn}"
                answer = await self._post(client, INVITE, _invitation(username))
                if answer is not None:
                    if _field(answer, "sendInvitation") == {"__typename": "InvitationPayload"}:
                        self.invited.append(f"{username}@invitee.example")
                    else:
                        self.failures.append(f"sendInvitation: {answer}")
                answer = await self._post(client, ME, None)
                if answer is not None and _field(answer, "me") != {"username": "admin"}:
                    self.failures.append(f"me: {answer}")

    async def _post(
        self, client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        try:
            response = await client.post(
                self.url, json={"query": query, "variables": variables}, headers=self.headers
            )
        except httpx.HTTPError as error:
            self.failures.append(f"{type(error).__name__}: {error}")
            return None
        self.answered += 1
        if response.status_code != 200:
            self.failures.append(f"HTTP {response.status_code}: {response.text[:200]}")
            return None
        return response.json()  # type: ignore[no-any-return]

    async def answered_more(self, count: int, within: float = 60.0) -> None:
        target = self.answered + count

        async def enough() -> bool:
            return self.answered >= target

        await _until(enough, within, f"the load stalled at {self.answered} answers")

    def stop(self) -> None:
        self._stop.set()


async def test_sigterm_under_steady_load_behind_a_round_robin_fails_no_request_and_sends_no_mail_twice(  # noqa: E501
    fresh_database: str, tmp_path: Path, mail_server: SmtpServer
) -> None:
    mail_server.mailbox.delay_seconds = 0.05  # a send takes a while: SIGTERM may meet one
    leaving = start(fresh_database, tmp_path, free_port(), smtp_port=mail_server.port)
    await leaving.healthy()
    staying = start(
        fresh_database, tmp_path, free_port(), migrate=False, smtp_port=mail_server.port
    )  # fmt: skip
    try:
        await staying.healthy()
        token = await sign_in(leaving)
        async with RoundRobin([leaving.port, staying.port]).running() as balancer:
            load = Load(balancer.port, token)
            clients = [asyncio.create_task(load.client(number)) for number in range(4)]
            await load.answered_more(30)
            leaving.process.send_signal(signal.SIGTERM)
            status = await leaving.exited(within=45)
            await load.answered_more(30)  # the other process carries on alone
            load.stop()
            await asyncio.gather(*clients)

        async def all_delivered() -> bool:
            rows = await _outbox(fresh_database)
            return len(rows) == len(load.invited) and all(s == "sent" for _, s, _ in rows)

        await _until(all_delivered, 90, "the staying process did not send every mail")
        await asyncio.sleep(1)  # time for a second copy, were one on its way
    finally:
        staying.stop()
    assert load.failures == [], load.failures
    assert status == 0, leaving.output()
    assert "Traceback" not in leaving.output(), leaving.output()
    received = Counter(str(message["To"]) for message in mail_server.messages)
    assert received == dict.fromkeys(load.invited, 1)


async def test_a_request_in_flight_at_sigterm_is_answered_and_new_connections_are_refused(
    fresh_database: str, tmp_path: Path, mail_server: SmtpServer
) -> None:
    serve = start(
        fresh_database, tmp_path, free_port(), smtp_port=mail_server.port,
        environment={"TENANTRY_PASSWORD_RESET_ANSWER_SECONDS": "3"},
    )  # fmt: skip
    await serve.healthy()
    async with httpx.AsyncClient(timeout=30) as client:
        in_flight = asyncio.create_task(client.post(f"{serve.url}/graphql", json={"query": RESET}))
        await asyncio.sleep(1)
        serve.process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        with pytest.raises(httpx.ConnectError):
            await client.get(f"{serve.url}/healthz")
        answer = await in_flight
    assert answer.status_code == 200
    assert answer.json()["data"]["requestPasswordReset"]["__typename"] == "PasswordResetRequested"
    assert await serve.exited(within=30) == 0, serve.output()


async def test_the_mail_being_sent_at_sigterm_is_finished_and_recorded_once(
    fresh_database: str, tmp_path: Path, mail_server: SmtpServer
) -> None:
    mail_server.mailbox.delay_seconds = 2
    serve = start(fresh_database, tmp_path, free_port(), smtp_port=mail_server.port)
    await serve.healthy()
    await _invite(serve, await sign_in(serve), "nina")

    async def claimed() -> bool:
        return await _outbox(fresh_database) == [("nina@invitee.example", "pending", True)]

    await _until(claimed, 10, "the worker did not take the mail")
    serve.process.send_signal(signal.SIGTERM)
    assert await serve.exited(within=30) == 0, serve.output()
    assert [str(message["To"]) for message in mail_server.messages] == ["nina@invitee.example"]
    assert await _outbox(fresh_database) == [("nina@invitee.example", "sent", False)]


async def test_a_send_cut_off_by_the_grace_period_hands_its_claim_back_to_the_next_process(
    fresh_database: str, tmp_path: Path, mail_server: SmtpServer
) -> None:
    mail_server.mailbox.refuse_with = None
    mail_server.mailbox.delay_seconds = 30
    serve = start(
        fresh_database, tmp_path, free_port(), smtp_port=mail_server.port,
        environment={"TENANTRY_SHUTDOWN_GRACE_SECONDS": "1"},
    )  # fmt: skip
    await serve.healthy()
    await _invite(serve, await sign_in(serve), "nina")

    async def claimed() -> bool:
        return await _outbox(fresh_database) == [("nina@invitee.example", "pending", True)]

    await _until(claimed, 10, "the worker did not take the mail")
    started = time.monotonic()
    serve.process.send_signal(signal.SIGTERM)
    assert await serve.exited(within=30) == 0, serve.output()
    assert time.monotonic() - started < 10
    # Unclaimed, not left to a lease of a minute: the next process sends it at once.
    assert await _outbox(fresh_database) == [("nina@invitee.example", "pending", False)]
    assert "handed back 1 mail claim" in serve.output()


async def test_sigterm_closes_subscriptions_with_1001_going_away(
    fresh_database: str, tmp_path: Path
) -> None:
    serve = start(fresh_database, tmp_path, free_port())
    await serve.healthy()
    token = await sign_in(serve)
    url = serve.url.replace("http://", "ws://") + "/graphql"
    async with signed_in(url, token) as conn:
        await conn.subscribe(INVITATIONS)
        await asyncio.sleep(0.5)  # in place in the server
        serve.process.send_signal(signal.SIGTERM)
        closed = await conn.closed(within=10)
    assert (closed.code, closed.reason) == (1001, "Server shutting down")
    assert await serve.exited(within=30) == 0, serve.output()
