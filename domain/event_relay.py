"""Change events between the workers of `serve --workers N` on SQLite, which has no NOTIFY.

The parent of the workers names a directory in TENANTRY_EVENT_RELAY_DIR (private to it, removed
when it exits). Each worker binds a Unix datagram socket there, named for its process id, and
publishing sends the encoded changes to every socket in the directory, its own included, so
there is one path for all as with PostgreSQL. A socket nobody reads any more (a worker that
died) is removed by the first publisher that finds it dead. Delivery stays at most once: a
change to a worker whose socket buffer is full is dropped for that worker, and logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("tenantry.events")

DIRECTORY_VARIABLE = "TENANTRY_EVENT_RELAY_DIR"


def relay_directory() -> Path | None:
    value = os.environ.get(DIRECTORY_VARIABLE)
    return Path(value) if value else None


class Relay:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / f"{os.getpid()}.sock"
        self._socket: socket.socket | None = None

    def open(self, receive: Callable[[bytes], None]) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a former process of the same id
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.bind(str(self.path))
        self._socket = sock

        def readable() -> None:
            while True:
                try:
                    payload = sock.recv(1 << 16)
                except (BlockingIOError, InterruptedError):
                    return
                receive(payload)

        asyncio.get_running_loop().add_reader(sock.fileno(), readable)

    def close(self) -> None:
        if self._socket is None:
            return
        asyncio.get_running_loop().remove_reader(self._socket.fileno())
        self._socket.close()
        self._socket = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def send(self, payload: bytes) -> None:
        if self._socket is None:
            raise RuntimeError("the relay is not open")
        for peer in self.directory.glob("*.sock"):
            try:
                self._socket.sendto(payload, str(peer))
            except (ConnectionRefusedError, FileNotFoundError):
                with contextlib.suppress(FileNotFoundError):
                    peer.unlink()  # its worker is gone
            except BlockingIOError:
                log.warning("change events dropped for a busy worker (%s)", peer.name)
