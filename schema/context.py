"""What every resolver receives: the request, the caller, and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from permissions.rules import Actor

if TYPE_CHECKING:
    from models import User


@dataclass
class Context:
    request: Request
    response: Response
    user: User | None
    actor: Actor | None
    session_token: str | None
    client_address: str | None
    loaders: Any
    # Per-request scratch space for extensions (cost, rate limit bookkeeping).
    extras: dict[str, Any] = field(default_factory=dict)


Info = StrawberryInfo[Context, None]
