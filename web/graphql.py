"""The GraphQL endpoint: Strawberry's ASGI view with our context, held to the GraphQL-over-HTTP
specification, plus persisted queries and CSRF rules.

- Media types: `application/graphql-response+json` when the Accept header prefers it (request
  errors then answer 4xx without a `data` entry), `application/json` for older clients (200).
- CSRF: POST bodies must be `application/json` (a browser cannot send that cross-site without
  a preflight); form, multipart and text/plain bodies get 415. GET runs queries only; a
  mutation over GET gets 405.
- One operation per request: a JSON array (batch) is refused.
- Client JSON (the body; `variables` and `extensions` over GET) nests at most MAX_JSON_DEPTH
  levels, and a GET's query string is read strictly (web/forms.py): anything else is a 400.
- Subscriptions: over WebSocket only (web/subscriptions.py); one sent over HTTP gets 400.
- Persisted documents: `documentId` (GraphQL-over-HTTP's persisted-documents appendix) in the
  body or the query string, and Apollo's `extensions.persistedQuery`: see
  web/persisted_queries.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from domain.users import actor_of
from models.request_connection import request_connection
from schema.context import Context, SessionEnded, SessionStarted
from web import graphiql, metrics, tracing
from web.auth import client_address, identify
from web.cookies import clear_session_cookie, set_session_cookie
from web.forms import Malformed, query_fields
from web.outage import reraise_outage
from web.persisted_queries import DocumentRefused, PersistedQueries
from web.subscriptions import (
    SubscriptionsHandler,
    TextFrames,
    authenticate,
    connection_context,
)

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
# No request needs more (input objects in lists in input objects…); graphql-core's coercion
# of variables recurses once per level.
MAX_JSON_DEPTH = 64
# query or documentId, variables, operationName, extensions, and room for a client's cache
# buster or two.
MAX_QUERY_FIELDS = 8
SUBSCRIPTIONS_OVER_WEBSOCKET = (
    "Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql."
)
# What a GET may carry instead of a query; without any of them a browser's GET gets GraphiQL.
_DOCUMENT_PARAMETERS = ("query", "documentId", "extensions")
_OPERATION_NAME = re.compile(r"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


class RequestRefused(Exception):  # noqa: N818 - an HTTP answer, not a failure
    """Refused before any GraphQL runs: answered with this status and a GraphQL error body."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class RequestData(GraphQLRequestData):
    """Strawberry's request parameters, plus the persisted-documents appendix's `documentId`."""

    document_id: str | None = None


@dataclass
class Exchange:
    """What this request negotiated and how it went; kept in the ASGI scope's state."""

    media_type: str
    operation: str | None = None
    request_error: bool = False


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None when we can offer none of its types.

    No Accept header means a legacy client: application/json. `*/*` gets application/json too,
    since clients that send it (curl, fetch) predate the newer type.
    """
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        offered = {
            GRAPHQL_RESPONSE_JSON: GRAPHQL_RESPONSE_JSON,
            JSON: JSON,
            "application/*": JSON,
            "*/*": JSON,
        }.get(media)
        if offered is None:
            continue
        candidate = (quality, -position, offered)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def is_request_error(result: ExecutionResult) -> bool:
    """Failed before execution (parse, validation, variables, limits): no data, no paths."""
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors)
    )


class GraphQLEndpoint(GraphQL):
    graphql_transport_ws_handler_class = SubscriptionsHandler
    websocket_adapter_class = TextFrames  # type: ignore[assignment]

    def __init__(self, schema: Any, *, persisted: PersistedQueries, **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.persisted = persisted

    # --- the WebSocket connection (web/subscriptions.py) ---------------------------------

    def is_websocket_origin_allowed(self, request: Any, origin: str) -> bool:
        # Any page may connect with a token in connection_init; the session cookie counts
        # only from our own origin (web.subscriptions.cookie_allowed).
        return True

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        await authenticate(context)
        return UNSET

    # --- the HTTP exchange -------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive=receive)
        media_type = negotiate(request.headers.get("accept"))
        exchange = Exchange(media_type=media_type or JSON)
        scope.setdefault("state", {})["graphql"] = exchange
        # The request's reads share one database connection, back in the pool before the
        # answer is sent (models/request_connection.py).
        async with request_connection():
            try:
                self._check_request(request, media_type)
                response = await self.run(request)
            except RequestRefused as refused:
                response = self._refusal(exchange, refused.status, refused.message, refused.headers)
            except HTTPException as error:
                response = self._refusal(exchange, error.status_code, error.reason)
        await response(scope, receive, send)

    def encode_json(self, data: object) -> bytes:  # type: ignore[override]
        # orjson: a page of 100 users is encoded in a tenth of json.dumps's time (issue 7).
        # It refuses what json.dumps accepts (lone surrogates in strings, integers beyond
        # 64 bits, keys that are not strings): those still get an answer, from json.dumps.
        try:
            return orjson.dumps(data)
        except (orjson.JSONEncodeError, TypeError):
            return super().encode_json(data).encode()  # type: ignore[union-attr]

    def _check_request(self, request: Request, media_type: str | None) -> None:
        if request.method == "POST":
            # The media type alone: its parameters (charset) change nothing for JSON.
            content_type = request.headers.get("content-type", "").split(";", 1)[0]
            if content_type.strip().lower() != JSON:
                raise RequestRefused(
                    415,
                    "POST bodies must be application/json (form, multipart and text/plain "
                    "bodies are refused).",
                    {"Accept": JSON},
                )
        elif request.method == "GET":
            try:
                query_fields(request, max_fields=MAX_QUERY_FIELDS)
            except Malformed as exc:
                raise RequestRefused(400, exc.reason) from None
        else:
            raise RequestRefused(405, "GraphQL accepts GET and POST only.", {"Allow": "GET, POST"})
        if media_type is None and not self._wants_ide(request):
            raise RequestRefused(
                406, f"Acceptable response media types: {GRAPHQL_RESPONSE_JSON}, {JSON}."
            )

    def _refusal(
        self, exchange: Exchange, status: int, message: str, headers: dict[str, str] | None = None
    ) -> Response:
        body = self.encode_json({"errors": [{"message": message}]})
        return Response(body, status, headers=headers, media_type=exchange.media_type)

    def _wants_ide(self, request: Request) -> bool:
        params = request.query_params
        return (
            request.method == "GET"
            and not any(name in params for name in _DOCUMENT_PARAMETERS)
            and any(kind in request.headers.get("accept", "") for kind in ("text/html", "*/*"))
        )

    async def render_graphql_ide(self, request: Request) -> Response:  # type: ignore[override]
        return await graphiql.page(request)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET carrying only `extensions` (an APQ hash) or a `documentId` runs it: no GraphiQL.
        return (
            request.method == "GET"
            and not any(request.query_params.get(name) is not None for name in _DOCUMENT_PARAMETERS)
            and any(kind in request.headers.get("accept", "") for kind in ("text/html", "*/*"))
        )

    def decode_json(self, data: str | bytes) -> object:
        try:
            value = json.loads(data)
        except RecursionError:
            # json.loads has no depth setting: the interpreter's recursion limit is where it
            # stops, and RecursionError is how it says "too deep", before any of it is used.
            raise RequestRefused(400, _TOO_DEEP) from None
        except ValueError:  # bad JSON, bytes that are not UTF-8, a 5,000-digit integer
            raise RequestRefused(400, "The request's JSON could not be parsed.") from None
        if _nests_deeper(value, MAX_JSON_DEPTH):
            raise RequestRefused(400, _TOO_DEEP)
        return value

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:  # type: ignore[override]
        if request.method == "GET":
            data: Any = self.parse_query_params(request.query_params)
        else:
            data = self.parse_json(await request.get_body())
        if isinstance(data, list):
            raise RequestRefused(400, "Batched operations are not supported: send one per request.")
        if not isinstance(data, dict):
            raise RequestRefused(400, "The request body must be a JSON object.")
        query, variables = data.get("query"), data.get("variables")
        operation_name, extensions = data.get("operationName"), data.get("extensions")
        document_id = data.get("documentId")
        if not isinstance(query, str | None):
            raise RequestRefused(400, "`query` must be a string.")
        if not isinstance(document_id, str | None):
            raise RequestRefused(400, "`documentId` must be a string.")
        if query is not None and not _is_unicode(query):
            # GraphQL source text is Unicode scalar values: a lone surrogate (JSON's "\ud800")
            # is not text, and cannot be hashed or stored as such.
            raise RequestRefused(400, "`query` holds a lone surrogate: it is not Unicode text.")
        if not isinstance(variables, dict | None):
            raise RequestRefused(400, "`variables` must be an object.")
        if not isinstance(operation_name, str | None):
            raise RequestRefused(400, "`operationName` must be a string.")
        if not isinstance(extensions, dict | None):
            raise RequestRefused(400, "`extensions` must be an object.")
        return RequestData(
            query=query,
            variables=variables,
            operation_name=operation_name,
            extensions=extensions,
            protocol="http",
            document_id=document_id,
        )

    async def execute_single(  # type: ignore[override]
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: Any,
        request_data: RequestData,
    ) -> ExecutionResult:
        exchange: Exchange = request.scope["state"]["graphql"]
        adhoc = self.persisted.trusted is not None and graphiql.may_run_adhoc_documents(
            request, context.user
        )
        try:
            document = await self.persisted.resolve(
                request_data.query, request_data.extensions, request_data.document_id, adhoc=adhoc
            )
        except DocumentRefused as refused:
            error = GraphQLError(refused.message, extensions={"code": refused.refusal.value})
            return self._finish(request, exchange, sub_response, ExecutionResult(None, [error]),
                                request_data.operation_name, refused)  # fmt: skip
        operation = request_data.operation_name or _name_in(document.query)
        get = request_adapter.method == "GET"
        allowed = {OperationType.QUERY} if get else {OperationType.QUERY, OperationType.MUTATION}
        try:
            with tracing.operation_span(operation, document.query):
                result = await self.schema.execute(
                    document.query,
                    root_value=root_value,
                    variable_values=request_data.variables,
                    context_value=context,
                    operation_name=request_data.operation_name,
                    allowed_operation_types=allowed,
                    operation_extensions=request_data.extensions,
                )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise RequestRefused(400, SUBSCRIPTIONS_OVER_WEBSOCKET) from error
            raise RequestRefused(
                405, "Mutations are accepted over POST only.", {"Allow": "POST"}
            ) from error
        except CannotGetOperationTypeError as error:
            result = ExecutionResult(None, [GraphQLError(error.as_http_error_reason())])
        except MissingQueryError as error:
            raise RequestRefused(400, "No GraphQL query found in the request.") from error
        reraise_outage(result.errors)  # 503 for the whole request: see web/outage.py
        _carry_session_change(context, sub_response)
        if document.register and document.query and not is_request_error(result):
            await self.persisted.register(document.register, document.query)
        return self._finish(request, exchange, sub_response, result, operation, None)

    def _finish(
        self,
        request: Request,
        exchange: Exchange,
        sub_response: Response,
        result: ExecutionResult,
        operation: str | None,
        refusal: DocumentRefused | None,
    ) -> ExecutionResult:
        exchange.operation = operation
        exchange.request_error = is_request_error(result)
        state = request.scope["state"]
        state["graphql_operation"] = operation or ""
        if result.errors:
            state["graphql_errors"] = len(result.errors)
            metrics.observe_errors(operation, result.errors)
            _drop_tracebacks(result.errors)
        if refusal is not None and refusal.retry_with_text:
            # Apollo clients expect 200 here, then retry with the full document.
            sub_response.status_code = 200
        elif exchange.request_error and exchange.media_type == GRAPHQL_RESPONSE_JSON:
            sub_response.status_code = 400
        return result

    async def process_result(  # type: ignore[override]
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if request.scope["state"]["graphql"].request_error:
            # The request failed before execution: there is no `data` to speak of.
            response.pop("data", None)
        return response

    def create_response(  # type: ignore[override]
        self, response_data: Any, sub_response: Response
    ) -> Response:
        # The negotiated media type travels on the sub-response (set in get_context).
        media_type = sub_response.headers.get("content-type", JSON)
        del sub_response.headers["content-type"]
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or 200,
            media_type=media_type,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        if isinstance(request, WebSocket):
            context = Context(
                request=request,  # type: ignore[arg-type]
                response=response,  # type: ignore[arg-type]
                user=None,
                actor=None,
                session_token=None,
                client_address=client_address(request),
            )
            return await connection_context(request, context)
        caller = await identify(request)
        if isinstance(request, Request) and isinstance(response, Response):
            exchange: Exchange | None = request.scope.get("state", {}).get("graphql")
            if exchange is not None:
                response.headers["content-type"] = exchange.media_type
        return Context(
            request=request,  # type: ignore[arg-type]
            response=response,  # type: ignore[arg-type]
            # `me`: an enrollment challenge has not signed anyone in.
            user=None if caller.enrollment_only else caller.user,
            actor=actor_of(
                caller.user,
                via_api_token=caller.via_api_token,
                enrollment_only=caller.enrollment_only,
            )
            if caller.user
            else None,
            session_token=caller.session_token,
            client_address=client_address(request),
        )

    async def get_root_value(self, request: Any) -> None:
        return None


def _carry_session_change(context: Context, response: Response) -> None:
    match context.session_change:
        case SessionStarted(token=token):
            set_session_cookie(response, token)
        case SessionEnded():
            clear_session_cookie(response)


def _drop_tracebacks(errors: list[GraphQLError]) -> None:
    """Forget the stacks of errors already logged (schema.should_mask_error logs unexpected ones).

    A resolver's error keeps its traceback, whose frames hold the resolve info, which holds
    the executor, which holds the error: a reference cycle that kept the whole request alive
    until a full garbage collection. Only the message, path and extensions are answered.
    """
    for error in errors:
        error.__traceback__ = None
        if error.original_error is not None:
            error.original_error.__traceback__ = None


_TOO_DEEP = f"The request's JSON nests deeper than {MAX_JSON_DEPTH} levels."


def _nests_deeper(value: object, limit: int) -> bool:
    """Whether lists and objects in `value` nest more than `limit` levels (without recursing)."""
    if not isinstance(value, dict | list):
        return False
    pending: list[tuple[dict[Any, Any] | list[Any], int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _is_unicode(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _name_in(query: str | None) -> str | None:
    match = _OPERATION_NAME.match(query or "")
    return match.group(1) if match else None
