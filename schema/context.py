"""What every resolver receives: the request, the caller, and this request's loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from permissions.rules import Actor
from schema.loaders import Loaders

if TYPE_CHECKING:
    from models import User


@dataclass(frozen=True, slots=True)
class SessionStarted:
    """A mutation signed someone in: the web layer hands `token` to the browser as a cookie."""

    token: str


@dataclass(frozen=True, slots=True)
class SessionEnded:
    """A mutation signed the caller out: the web layer clears the session cookie."""


SessionChange = SessionStarted | SessionEnded


@dataclass
class Context:
    request: Request
    response: Response
    user: User | None
    actor: Actor | None
    session_token: str | None
    client_address: str | None
    # One set per request, made with the context: nothing cached outlives its request.
    loaders: Loaders = field(default_factory=Loaders)
    # What this request did to the caller's session, the last change winning; resolvers say
    # it here and the web layer turns it into a cookie, so resolvers need not know of cookies.
    session_change: SessionChange | None = None
    # Per-request scratch space for extensions (cost, rate limit bookkeeping).
    extras: dict[str, Any] = field(default_factory=dict)
    # WebSocket connections only. The `connection_init` payload (Strawberry fills it in), and
    # how to read the caller again from the connection's credential: a subscription outlives
    # the moment it was authorised. It updates `user` and `actor`; None once nobody is left.
    connection_params: dict[str, Any] | None = None
    reidentify: Callable[[], Awaitable[Actor | None]] | None = None


Info = StrawberryInfo[Context, None]
