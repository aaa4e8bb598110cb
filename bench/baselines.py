"""The baselines: bare Starlette endpoints, next to the real app in the same process.

- `/bare/users-sql`: the users page without GraphQL: the same functions the resolvers and
  loaders call (so the same SQL), the same JSON bytes, built by hand.
- `/bare/memory/{name}`: the bytes the GraphQL endpoint answered, returned from memory.
- `/bare/raw/{nested,scalars}`: the raw limit, the pages with the driver and orjson alone
  (bench/raw.py).
- `/bare/statements`: how many SQL statements one /graphql request sends (bench/statements.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

import web.app  # noqa: F401 - imports the schema first (resolvers and schema import each other)
from bench.raw import Raw
from bench.statements import statements_per_request
from domain import users
from domain.users import actor_of
from models.request_connection import request_connection
from resolvers.pagination import PageRequest, Window, paginate
from resolvers.preload import page_columns
from schema.loaders import project_rows_by_owner
from schema.types.users import ROW_COLUMNS as USER_COLUMNS
from web.auth import identify
from web.graphql import GraphQLEndpoint
from web.logging import RequestContextMiddleware
from web.persisted_queries import DatabaseStore, PersistedQueries

_memory: dict[str, bytes] = {}


async def users_sql(request: Request) -> Response:
    async with request_connection():  # one connection for the request, as /graphql has
        caller = await identify(request)
        assert caller.user is not None
        actor = actor_of(caller.user)
        query = users.users_in_reach(actor, tenant_id=None, search=None, role=None)
        # No count: the resolver counts only when totalCount is selected, and this page is
        # not. The same columns as the resolver (plain rows, the tenant joined in) and the
        # same projects query: the same SQL.
        columns = page_columns(USER_COLUMNS, {"tenant", "ownedProjects"})
        page = await paginate(
            query, PageRequest(Window(100)), order_by="username_key", columns=columns
        )
        rows = page.rows
        owned: dict = defaultdict(list)
        for project in await project_rows_by_owner([u["id"] for u in rows]):
            owned[project["owner_id"]].append(project)
    by_id = {u["id"]: u for u in rows}
    body = {"data": {"users": {"edges": [
        {"node": {
            "id": str(u["id"]),
            "username": u["username"],
            "tenant": {"name": u["tenant__name"]},
            "ownedProjects": [
                {"id": str(p["id"]), "name": p["name"],
                 "owner": {"username": by_id[p["owner_id"]]["username"]}}
                for p in owned[u["id"]]
            ],
        }}
        for u in rows
    ]}}}  # fmt: skip
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")


async def memory(request: Request) -> Response:
    name = request.path_params["name"]
    if request.method == "PUT":
        _memory[name] = await request.body()
        return Response(status_code=204)
    return Response(_memory[name], media_type="application/json")


def bare_app(database_url: str, app: Any) -> Starlette:
    raw = Raw(database_url)

    async def raw_nested(request: Request) -> Response:
        return await raw.page(request, nested=True)

    async def raw_scalars(request: Request) -> Response:
        return await raw.page(request, nested=False)

    async def raw_statements(request: Request) -> Response:
        return Response(str(raw.last_statements), media_type="text/plain")

    async def app_statements(request: Request) -> Response:
        """SQL statements one /graphql request with this body sends (counted in-process)."""
        counted = await statements_per_request(
            app, await request.body(), request.headers.get("authorization", "")
        )
        return Response(json.dumps(counted), media_type="application/json")

    return Starlette(routes=[
        Route("/bare/users-sql", users_sql, methods=["GET", "POST"]),
        Route("/bare/raw/nested", raw_nested, methods=["GET", "POST"]),
        Route("/bare/raw/scalars", raw_scalars, methods=["GET", "POST"]),
        Route("/bare/raw/statements", raw_statements, methods=["GET"]),
        Route("/bare/statements", app_statements, methods=["POST"]),
        Route("/bare/memory/{name}", memory, methods=["GET", "POST", "PUT"]),
        Route("/bare/graphql-memory", memory_graphql(), methods=["POST"]),
        Route("/bare/plain-strawberry-memory", plain_strawberry(), methods=["POST"]),
    ])  # fmt: skip


# --- the same users page through our GraphQL stack, from memory ------------------------------
# What GraphQL itself costs: our middleware, endpoint, extensions and executor, no database.
# The rows come from the real endpoint's answer (PUT /bare/memory/scalars), so the bytes match.


@strawberry.type(name="User")
class MemoryUser:
    id: strawberry.ID
    username: str
    email: str
    role: str
    created_at: str


@strawberry.type(name="UserEdge")
class MemoryEdge:
    node: MemoryUser


@strawberry.type(name="UserConnection")
class MemoryConnection:
    edges: list[MemoryEdge]


_parsed: dict[str, MemoryConnection] = {}


def _memory_page() -> MemoryConnection:
    if "scalars" not in _parsed:
        rows = json.loads(_memory["scalars"])["data"]["users"]["edges"]
        _parsed["scalars"] = MemoryConnection(edges=[
            MemoryEdge(node=MemoryUser(
                id=strawberry.ID(r["node"]["id"]), username=r["node"]["username"],
                email=r["node"]["email"], role=r["node"]["role"],
                created_at=r["node"]["createdAt"]))
            for r in rows
        ])  # fmt: skip
    return _parsed["scalars"]


@strawberry.type
class MemoryQuery:
    @strawberry.field
    def users(self, first: int = 50) -> MemoryConnection:
        return _memory_page()


def memory_graphql() -> RequestContextMiddleware:
    """Our endpoint behind the app's own middleware (request ID, access log, metrics)."""
    from schema import schema as real_schema

    memory_schema = strawberry.Schema(
        query=MemoryQuery,
        extensions=real_schema.extensions,
        execution_context_class=real_schema.execution_context_class,
    )
    return RequestContextMiddleware(
        GraphQLEndpoint(
            memory_schema,
            persisted=PersistedQueries(DatabaseStore(10)),
            graphql_ide=None,
        )
    )


def plain_strawberry() -> GraphQL:
    """The same page through Strawberry as it comes (its ASGI view, default executor, no
    extensions): the reference the issue's "plain Strawberry" figure names, on this machine."""
    return GraphQL(strawberry.Schema(query=MemoryQuery), graphql_ide=None)
