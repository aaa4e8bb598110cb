"""A superuser's users list without tenantId is "all users on the system": every tenant's
users, paged, searched and filtered like one tenant's, each node naming its tenant."""

from __future__ import annotations

import pytest

from models import Role, Tenant

ALL_USERS = """
query($first: Int, $after: String, $search: String, $role: Role, $tenantId: ID) {
  users(first: $first, after: $after, search: $search, role: $role, tenantId: $tenantId) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { username role tenant { name } } }
  }
}
"""


@pytest.fixture
async def instance(make):
    """Three tenants with a user called "sam" in each, and a superuser in the first."""
    tenants = [await make.tenant(name) for name in ("north", "south", "west")]
    root = await make.person(tenants[0], username="root", role=Role.ADMIN, superuser=True)
    for tenant in tenants:
        await make.user(tenant, username="sam", role=Role.MEMBER)
        await make.user(tenant, username=f"{tenant.name}-admin", role=Role.ADMIN)
    return root


def rows(users):
    return [(e["node"]["username"], e["node"]["tenant"]["name"]) for e in users["edges"]]


async def test_pages_cross_tenants_without_gaps_or_repeats_for_equal_usernames(gql, instance):
    seen, after = [], None
    while True:
        page = (await gql(ALL_USERS, {"first": 2, "after": after}, as_=instance)).ok()["users"]
        assert page["totalCount"] == 7
        seen += rows(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 7
    assert {tenant for name, tenant in seen if name == "sam"} == {"north", "south", "west"}


async def test_search_and_role_filter_every_tenant(gql, instance):
    found = (await gql(ALL_USERS, {"search": "SAM"}, as_=instance)).ok()["users"]
    admins = (await gql(ALL_USERS, {"role": "ADMIN"}, as_=instance)).ok()["users"]
    assert sorted(rows(found)) == [("sam", "north"), ("sam", "south"), ("sam", "west")]
    assert {name for name, _ in rows(admins)} == {
        "root", "north-admin", "south-admin", "west-admin"
    }  # fmt: skip


async def test_a_tenant_id_still_narrows_a_superusers_list(gql, instance):
    south = await Tenant.get(name="south")
    page = (await gql(ALL_USERS, {"tenantId": str(south.id)}, as_=instance)).ok()["users"]
    assert sorted(rows(page)) == [("sam", "south"), ("south-admin", "south")]


async def test_an_admin_still_lists_only_their_own_tenant(gql, instance, make):
    west = await Tenant.get(name="west")
    admin = await make.person(west, username="wendy", role=Role.ADMIN)
    page = (await gql(ALL_USERS, as_=admin)).ok()["users"]
    assert {tenant for _, tenant in rows(page)} == {"west"}
    assert page["totalCount"] == 3
