"""The GraphQL endpoint: Strawberry's ASGI view with our context."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from domain.users import actor_of
from resolvers.loaders import Loaders
from schema.context import Context
from web.auth import client_address, identify


class GraphQLEndpoint(GraphQL):
    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        caller = await identify(request)
        return Context(
            request=request,  # type: ignore[arg-type]
            response=response,  # type: ignore[arg-type]
            user=caller.user,
            actor=actor_of(caller.user) if caller.user else None,
            session_token=caller.session_token,
            client_address=client_address(request),
            loaders=Loaders(),
        )

    async def get_root_value(self, request: Any) -> None:
        return None
