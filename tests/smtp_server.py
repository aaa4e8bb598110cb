"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, and fixtures that
point the instance at it. Links are read out of the received messages, as a person would."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import AsyncIterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from domain.outbox import deliver_due_mail
from models import InstanceSettings, SmtpSecurity

FROM_ADDRESS = "tenantry@tenantry.test"


def free_port() -> int:
    # aiosmtpd's Controller cannot report the port it got for port 0: ask the OS first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """The aiosmtpd handler: stores every message; can answer slowly or refuse, or keep a
    message and answer only after a while (the sender may have given up by then)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.delay_seconds = 0.0
        self.refuse_with: str | None = None
        self.answer_after_keeping_seconds = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.refuse_with:
            return self.refuse_with
        content = envelope.original_content or envelope.content
        self.messages.append(message_from_bytes(content, policy=policy.default))  # type: ignore[arg-type]
        if self.answer_after_keeping_seconds:
            await asyncio.sleep(self.answer_after_keeping_seconds)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.mailbox.messages

    def start(self) -> SmtpServer:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    async def wait_for(self, count: int = 1, within: float = 10.0) -> list[EmailMessage]:
        """Until `count` messages arrived (the app's worker sends them; a pass here helps)."""
        deadline = time.monotonic() + within
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")
            await deliver_due_mail()
            await asyncio.sleep(0.02)
        return self.messages


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()  # type: ignore[no-any-return]


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()  # type: ignore[no-any-return]


def link_in(message: EmailMessage, path: str) -> str:
    found = re.search(r"(https?://\S+" + re.escape(path) + r"\?token=\S+)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def token_in(message: EmailMessage, path: str) -> str:
    return link_in(message, path).split("?token=", 1)[1]


async def use_smtp_server(port: int) -> None:
    """Save SMTP settings as a superuser would have (the row is emptied after each test)."""
    await InstanceSettings.update_or_create(
        id=1,
        defaults={
            "smtp_saved": True,
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": SmtpSecurity.NONE,
            "smtp_from_address": FROM_ADDRESS,
        },
    )


@pytest.fixture
async def smtp(app: object) -> AsyncIterator[SmtpServer]:
    """A running SMTP server the instance is configured to use."""
    server = SmtpServer().start()
    await use_smtp_server(server.port)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def smtp_down(app: object) -> AsyncIterator[SmtpServer]:
    """SMTP configured, but nothing listens on its port (yet): `.start()` brings it up."""
    server = SmtpServer()
    await use_smtp_server(server.port)
    try:
        yield server
    finally:
        server.stop()
