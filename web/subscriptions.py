"""Subscriptions over WebSocket at /graphql: graphql-transport-ws only (the legacy
subscriptions-transport-ws protocol is off).

Who is calling: a token in the `connection_init` payload (`{"authorization": "Bearer …"}` or
`{"token": "…"}`, a session or an API token) from any page, or else the upgrade request's
`Authorization` header or session cookie. The cookie counts only when the upgrade comes from
the instance's own origin (TENANTRY_PUBLIC_URL) or from no page at all: browsers send cookies
on cross-site WebSocket upgrades, and no CORS preflight guards them. A connection with no
valid credential is closed with 4403 at `connection_init`.

At shutdown (`close_all`) every connection is closed with 1001 (going away: the protocol
defines no code of its own for it), so clients reconnect, to another process, at once.

Only subscriptions run here; queries and mutations go over HTTP, where the CSRF rules, the
cookie and the request log live. Trusted documents and persisted queries apply as over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from graphql.error import GraphQLSyntaxError
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from config import exact_origin, get_config
from domain.users import actor_of
from permissions.rules import Actor
from schema.context import Context
from web.auth import ANONYMOUS, Caller, bearer_token, identify_token
from web.cookies import SESSION_COOKIE
from web.persisted_queries import DocumentRefused

ONLY_SUBSCRIPTIONS = (
    "This WebSocket serves subscriptions only: send queries and mutations over HTTP to /graphql."
)


def cookie_allowed(connection: HTTPConnection) -> bool:
    """No Origin: not a browser, so no cookie of a visitor's. Else only our own origin and the
    origins TENANTRY_CORS_ORIGINS lists (they may call /graphql with credentials too): a page
    of any other site would otherwise subscribe with its visitor's session."""
    origin = connection.headers.get("origin")
    if origin is None:
        return True
    config = get_config()
    ours = urlsplit(config.public_url)  # an origin has no path: the URL's may
    try:
        sent = exact_origin(origin)
    except ValueError:
        return False
    return sent in {exact_origin(f"{ours.scheme}://{ours.netloc}"), *config.cors_origins}


def upgrade_credential(connection: HTTPConnection) -> str | None:
    token = bearer_token(connection)
    if token is not None:
        return token  # a browser cannot set this header on a WebSocket upgrade
    cookie = connection.cookies.get(SESSION_COOKIE)
    return cookie if cookie and cookie_allowed(connection) else None


class InvalidInitPayload(Exception):  # noqa: N818 - an answer
    pass


def init_credential(params: dict[str, Any] | None) -> str | None:
    """The token of a `connection_init` payload, None when it holds none."""
    if not params:
        return None
    if "authorization" in params:
        value = params["authorization"]
        scheme, _, token = value.partition(" ") if isinstance(value, str) else ("", "", "")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidInitPayload()
        return token.strip()
    if "token" in params:
        if not isinstance(params["token"], str) or not params["token"]:
            raise InvalidInitPayload()
        return params["token"]
    return None


@dataclass
class ConnectionCaller:
    """The credential a connection signed in with, read again whenever a subscription asks
    (domain/subscriptions.py): a role, a superuser bit or a session may change meanwhile."""

    context: Context
    credential: str | None
    from_cookie: bool = False

    async def identify(self) -> Caller:
        if self.credential is None:
            return ANONYMOUS
        return await identify_token(self.credential, api_token=not self.from_cookie)

    async def reidentify(self) -> Actor | None:
        caller = await self.identify()
        self.context.user = caller.user
        self.context.actor = (
            actor_of(caller.user, via_api_token=caller.via_api_token) if caller.user else None
        )
        self.context.session_token = caller.session_token
        return self.context.actor


async def connection_context(connection: HTTPConnection, context: Context) -> Context:
    """At the upgrade: the caller by header or (same-origin) cookie, if any."""
    token = bearer_token(connection)
    credential = upgrade_credential(connection)
    caller = ConnectionCaller(context, credential, from_cookie=token is None)
    context.reidentify = caller.reidentify
    context.extras["connection_caller"] = caller
    await caller.reidentify()
    return context


async def authenticate(context: Context) -> None:
    """At `connection_init`: a token there wins over the upgrade's credential. Raises
    ConnectionRejectionError (closed with 4403) when nobody valid is calling."""
    caller: ConnectionCaller = context.extras["connection_caller"]
    try:
        token = init_credential(context.connection_params)
    except InvalidInitPayload:
        raise ConnectionRejectionError() from None
    if token is not None:
        caller.credential, caller.from_cookie = token, False
        await caller.reidentify()
    if context.actor is None:
        raise ConnectionRejectionError()


class TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws messages are text frames: our JSON encoder gives bytes (orjson),
    which Strawberry would send as binary frames, and graphql-ws clients refuse those."""

    async def send_json(self, message: Any) -> None:
        encoded = self.view.encode_json(message)
        try:
            await self.ws.send_text(encoded.decode() if isinstance(encoded, bytes) else encoded)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


GOING_AWAY = 1001
SHUTTING_DOWN = "Server shutting down"

# The connections this process serves now, for `close_all`.
_open: set[SubscriptionsHandler] = set()


async def close_all() -> int:
    """Close every subscription connection of this process with 1001; how many there were."""
    handlers = list(_open)
    for handler in handlers:
        try:
            await handler.websocket.close(code=GOING_AWAY, reason=SHUTTING_DOWN)
        except Exception:  # noqa: BLE001,S112 - gone already: nothing left to close
            continue
    return len(handlers)


class SubscriptionsHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle(self) -> None:
        _open.add(self)
        try:
            await super().handle()
        finally:
            _open.discard(self)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self.connection_acknowledged:
            await super().handle_subscribe(message)  # closes with 4401
            return
        payload: Any = message.get("payload")
        if not isinstance(payload, dict) or not isinstance(message.get("id"), str):
            await self.websocket.close(code=4400, reason="Invalid subscribe message")
            return
        query, extensions = payload.get("query"), payload.get("extensions")
        variables, operation_name = payload.get("variables"), payload.get("operationName")
        if (
            not isinstance(query, str | None)
            or not isinstance(extensions, dict | None)
            or not isinstance(variables, dict | None)
            or not isinstance(operation_name, str | None)
        ):
            await self.websocket.close(code=4400, reason="Invalid subscribe message")
            return
        if message["id"] in self.operations:
            await super().handle_subscribe(message)  # closes with 4409
            return
        try:
            document = await self.view.persisted.resolve(query, extensions)  # type: ignore[attr-defined]
        except DocumentRefused as refused:
            await self._refuse(message["id"], refused.message, refused.refusal.value)
            return
        if document.query is None:
            await self._refuse(message["id"], "No GraphQL query found in the message.", None)
            return
        if not _is_subscription(document.query, operation_name):
            await self._refuse(message["id"], ONLY_SUBSCRIPTIONS, "BAD_REQUEST")
            return
        await super().handle_subscribe(
            {
                "id": message["id"],
                "type": "subscribe",
                "payload": {**payload, "query": document.query},
            }  # fmt: skip
        )

    async def _refuse(self, operation_id: str, text: str, code: str | None) -> None:
        error = GraphQLError(text, extensions={"code": code} if code else None)
        await self.send_message(
            {"id": operation_id, "type": "error", "payload": [error.formatted]}  # type: ignore[typeddict-item]
        )


def _is_subscription(query: str, operation_name: str | None) -> bool:
    """False for a query or mutation. A document that does not parse or names no operation
    counts as one: Strawberry answers it as the protocol says (closing with 4400)."""
    try:
        document = parse(query, max_tokens=get_config().max_query_tokens, no_location=True)
    except GraphQLSyntaxError:
        return True
    operation = get_operation_ast(document, operation_name)
    return operation is None or operation.operation is OperationType.SUBSCRIPTION
