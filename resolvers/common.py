"""What every resolver shares: the caller, and mapping domain failures to GraphQL."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from domain import errors
from domain.auth.sessions import ClientInfo
from permissions.graphql import Forbidden, Unauthenticated
from permissions.rules import Actor
from schema.context import Info
from schema.errors import to_graphql

P = ParamSpec("P")
R = TypeVar("R")


def actor(info: Info) -> Actor:
    if info.context.actor is None:
        raise Unauthenticated()
    return info.context.actor


def client(info: Info) -> ClientInfo:
    return ClientInfo(
        address=info.context.client_address,
        user_agent=info.context.request.headers.get("user-agent"),
    )


def expected_failures(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Domain failures become union members; a domain `Forbidden` becomes FORBIDDEN."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
        try:
            return await fn(*args, **kwargs)
        except errors.Forbidden as exc:
            raise Forbidden(str(exc) or "You may not do this.") from None
        except errors.DomainError as exc:
            return to_graphql(exc)

    return wrapper
