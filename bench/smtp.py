"""An SMTP server that waits before answering, for the sendInvitation figure."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from aiosmtpd.controller import Controller

DELAY_SECONDS = 0.5


class SlowHandler:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(DELAY_SECONDS)
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start() -> tuple[Controller, SlowHandler, str]:
    handler = SlowHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler, f"smtp://127.0.0.1:{port}?security=none"
