"""SCIM 2.0 (RFC 7643/7644) under /scim/v2/{tenant}/: Users, Groups and the discovery
endpoints. Thin: scim2-models parses and writes the resources, filters and PATCH operations;
the behaviour is in domain/scim_users.py and domain/scim_groups.py.

The handlers' modules are imported at the first SCIM request, not with the app: scim2-models
builds its pydantic models as it is imported, over a second of CPU that every server process,
worker and CLI command would otherwise pay at start, most of which never serve SCIM. The
import runs in a thread, so the event loop goes on serving meanwhile."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PREFIX = "/scim/v2/{tenant}"

Endpoint = Callable[[Request], Awaitable[Response]]


def _handler(module: str, name: str) -> Endpoint:
    """`web.scim.<module>.<name>`, imported when first called."""
    loaded: Endpoint | None = None

    async def endpoint(request: Request) -> Response:
        nonlocal loaded
        if loaded is None:
            imported = await asyncio.to_thread(importlib.import_module, f"web.scim.{module}")
            loaded = getattr(imported, name)
        return await loaded(request)

    endpoint.__name__ = name
    return endpoint


ROUTES = [
    Route(f"{PREFIX}/Users", _handler("users", "collection"), methods=["GET", "POST"]),
    Route(
        f"{PREFIX}/Users/{{id}}",
        _handler("users", "item"),
        methods=["GET", "PUT", "PATCH", "DELETE"],
    ),
    Route(f"{PREFIX}/Groups", _handler("groups", "collection"), methods=["GET", "POST"]),
    Route(
        f"{PREFIX}/Groups/{{id}}",
        _handler("groups", "item"),
        methods=["GET", "PUT", "PATCH", "DELETE"],
    ),
    Route(
        f"{PREFIX}/ServiceProviderConfig",
        _handler("discovery", "service_provider_config"),
        methods=["GET"],
    ),
    Route(f"{PREFIX}/ResourceTypes", _handler("discovery", "resource_types"), methods=["GET"]),
    Route(
        f"{PREFIX}/ResourceTypes/{{name}}",
        _handler("discovery", "resource_type"),
        methods=["GET"],
    ),
    Route(f"{PREFIX}/Schemas", _handler("discovery", "schemas"), methods=["GET"]),
    Route(f"{PREFIX}/Schemas/{{id}}", _handler("discovery", "schema"), methods=["GET"]),
]
