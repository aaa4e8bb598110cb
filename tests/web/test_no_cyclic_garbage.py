"""A request's objects are freed by reference counting, not left to the cycle collector.

Cyclic garbage outlives its request until a collection of its generation; a whole users page
(models, UUIDs, nodes, the request's context) that only a full collection frees made those
collections take most of a second under load (issue 7: speed, bench/RESULTS.md).
"""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from models.enums import Role
from tests.factories import Factory
from tests.graphql_client import GraphQLClient

NESTED_PAGE = """
query {
  users(first: 100) {
    edges { node { id username tenant { name } ownedProjects { id name owner { username } } } }
  }
}
"""


@pytest.fixture
def collector_paused() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def _ours(kind: type) -> bool:
    # Our modules and the executor's; the test client (httpx) has cycles of its own.
    module = kind.__module__.split(".")[0]
    return module in {"models", "schema", "resolvers", "web", "domain", "graphql", "strawberry"}


async def cyclic_garbage_of(request: Callable[[], Awaitable[Any]]) -> list[str]:
    """The names of our objects that the request left to the cycle collector."""
    await request()  # warm: caches filled on first use are not garbage
    gc.collect()
    await request()
    gc.set_debug(gc.DEBUG_SAVEALL)
    gc.collect()
    found = sorted({type(o).__qualname__ for o in gc.garbage if _ours(type(o))})
    gc.set_debug(0)
    gc.garbage.clear()
    return found


async def test_a_nested_users_page_leaves_no_cyclic_garbage(
    gql: GraphQLClient, make: Factory, collector_paused: None
) -> None:
    tenant = await make.tenant("cycleco")
    admin = await make.person(tenant, role=Role.ADMIN)
    for _ in range(3):
        await make.project(await make.user(tenant))

    async def page() -> None:
        assert len((await gql(NESTED_PAGE, as_=admin)).ok()["users"]["edges"]) == 4

    assert await cyclic_garbage_of(page) == []
