"""Where `serve` listens: --host/--port, else the stored USER_REQUESTS listeners."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.config import Config

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@dataclass(frozen=True)
class BindTarget:
    host: str
    port: int
    ssl: dict[str, Any] = field(default_factory=dict)

    def uvicorn_kwargs(self) -> dict[str, Any]:
        return {"host": self.host, "port": self.port, **self.ssl}


async def bind_targets(config: Config, host: str | None, port: int | None) -> list[BindTarget]:
    if host is not None or port is not None:
        return [BindTarget(host or DEFAULT_HOST, port or DEFAULT_PORT)]
    return [BindTarget(DEFAULT_HOST, DEFAULT_PORT)]
