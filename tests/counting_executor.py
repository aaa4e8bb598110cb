"""An endpoint over our schema whose executor records the fields it executes through
graphql-core's per-field path (planned objects' fields and plans' root fields are not), for
tests of what the plans cover."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar

from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette
from starlette.routing import Route

from config import Config
from schema import build_schema
from schema.execution import ExecutionContext
from web.graphql import GraphQLEndpoint
from web.persisted_queries import persisted_queries_for


class CountsExecutedFields(ExecutionContext):
    executed: ClassVar[list[str]] = []

    def execute_field(
        self, parent_type: Any, source: Any, field_details_list: Any, *rest: Any
    ) -> Any:
        CountsExecutedFields.executed.append(field_details_list[0].node.name.value)
        return super().execute_field(parent_type, source, field_details_list, *rest)


COUNTING = build_schema(CountsExecutedFields)


@asynccontextmanager
async def counting_client(config: Config) -> AsyncIterator[AsyncClient]:
    """A client of that endpoint (the app must be running: the database is its)."""
    endpoint = GraphQLEndpoint(COUNTING, persisted=persisted_queries_for(config), graphql_ide=None)
    other = Starlette(routes=[Route("/graphql", endpoint, methods=["POST"])])
    transport = ASGITransport(app=other, client=("203.0.113.7", 51000))
    async with AsyncClient(transport=transport, base_url="http://tenantry.test") as client:
        yield client
