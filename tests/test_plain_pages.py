"""A page whose statement is made once per shape (models/plain_pages.py) holds the rows, in
the order, that Tortoise's query for the same page holds: every way through a list (forward
and backward, from every cursor, bounded on both sides), a tenant's list and every tenant's
(where usernames repeat and the ID breaks ties), with a joined column. On SQLite both go
through Tortoise."""

from __future__ import annotations

from typing import Any

from models import User
from models.plain_pages import EVERY_ROW, Equal, _statement
from resolvers.pagination import PageRequest, Window, paginate
from tests.factories import Factory

COLUMNS = ("id", "username", "email", "role", "created_at", "tenant_id", "tenant__name")


async def _two_tenants_with_the_same_usernames(make: Factory) -> Any:
    first, second = await make.tenant(), await make.tenant()
    for tenant in (first, second):
        for name in ("ann", "bob", "cid", "dee"):
            await make.user(tenant, username=name)
    return first


async def _both(request: PageRequest, where: Equal, query: Any) -> tuple[Any, Any]:
    ours = await paginate(query, request, order_by="username_key", columns=COLUMNS, plainly=where)
    theirs = await paginate(query, request, order_by="username_key", columns=COLUMNS)
    return ours, theirs


def _requests(cursors: list[str]) -> list[PageRequest]:
    requests = []
    for size in (0, 1, 2, 100):
        for backward in (False, True):
            window = Window(size, backward=backward)
            requests.append(PageRequest(window=window))
            for cursor in cursors:
                requests.append(PageRequest(window=window, after=cursor))
                requests.append(PageRequest(window=window, before=cursor))
            requests.append(PageRequest(window=window, after=cursors[0], before=cursors[-1]))
    return requests


async def _every_cursor(query: Any) -> list[str]:
    whole = await paginate(query, PageRequest(window=Window(100)), order_by="username_key")
    return whole.cursors


async def test_every_page_of_every_tenants_users_holds_tortoises_rows(make: Factory) -> None:
    await _two_tenants_with_the_same_usernames(make)
    query = User.all()
    for request in _requests(await _every_cursor(query)):
        ours, theirs = await _both(request, EVERY_ROW, query)

        assert ours == theirs, request


async def test_every_page_of_one_tenants_users_holds_tortoises_rows(make: Factory) -> None:
    tenant = await _two_tenants_with_the_same_usernames(make)
    query = User.filter(tenant_id=tenant.id)
    for request in _requests(await _every_cursor(query)):
        ours, theirs = await _both(request, Equal("tenant_id", tenant.id), query)

        assert ours == theirs, request


async def test_a_tenants_page_holds_only_that_tenants_users(make: Factory) -> None:
    tenant = await _two_tenants_with_the_same_usernames(make)
    query = User.filter(tenant_id=tenant.id)

    page = await paginate(
        query, PageRequest(window=Window(100)), order_by="username_key", columns=COLUMNS,
        plainly=Equal("tenant_id", tenant.id),
    )  # fmt: skip

    assert {row["tenant_id"] for row in page.rows} == {tenant.id}
    assert [row["tenant__name"] for row in page.rows] == [tenant.name] * 4


def test_a_tenants_page_is_ordered_by_the_username_alone_which_is_unique_in_it() -> None:
    shape = (User, ("id", "username"), "tenant_id", "username_key", False, "gt", None)

    assert _statement(shape).endswith('ORDER BY "user"."username_key" LIMIT $4')


def test_every_tenants_page_breaks_ties_between_equal_usernames_on_the_id() -> None:
    shape = (User, ("id", "username"), None, "username_key", True, None, None)

    assert _statement(shape).endswith(
        'ORDER BY "user"."username_key" DESC, "user"."id" DESC LIMIT $1'
    )
