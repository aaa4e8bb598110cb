"""auditLog: newest first; admins read their tenant's events, superusers everyone's; read-only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.users import actor_of
from models import AuditEvent
from schema import schema
from tests.factories import Cast

AUDIT = """
query($first: Int, $after: String) {
  auditLog(first: $first, after: $after) {
    edges { cursor node { id at action targetType targetId actorName changedFields
                          actor { username } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def event(action: str, *, tenant=None, actor=None, minutes_ago: int = 0, **changes):
    """An event at a known time, so the order is certain."""
    row = await AuditEvent.create(
        tenant_id=tenant.id if tenant else None,
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else None,
        action=action,
        target_type="user",
        target_id="x",
        changes=changes or None,
    )
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    await AuditEvent.filter(id=row.id).update(at=at)
    return row


def actions(result) -> list[str]:
    return [edge["node"]["action"] for edge in result.ok()["auditLog"]["edges"]]


@pytest.fixture
async def trail(cast: Cast):
    await event("a.oldest", tenant=cast.tenant_a, actor=cast.admin_a.user, minutes_ago=30)
    await event("b.event", tenant=cast.tenant_b, actor=cast.admin_b.user, minutes_ago=20)
    await event("instance.event", actor=cast.superuser.user, minutes_ago=15)
    await event("a.by-superuser", tenant=cast.tenant_a, actor=cast.superuser.user, minutes_ago=10)
    await event("a.newest", tenant=cast.tenant_a, actor=cast.member_a.user, minutes_ago=1)


async def test_an_admin_reads_their_tenants_events_newest_first(gql, cast: Cast, trail):
    result = await gql(AUDIT, as_=cast.admin_a)
    assert actions(result) == ["a.newest", "a.by-superuser", "a.oldest"]


async def test_another_tenants_admin_reads_only_their_own_tenants_events(gql, cast: Cast, trail):
    assert actions(await gql(AUDIT, as_=cast.admin_b)) == ["b.event"]


async def test_a_superuser_reads_every_event_of_every_tenant_and_the_instance(
    gql, cast: Cast, trail
):
    assert actions(await gql(AUDIT, as_=cast.superuser)) == [
        "a.newest",
        "a.by-superuser",
        "instance.event",
        "b.event",
        "a.oldest",
    ]


@pytest.mark.parametrize("role", ["guest", "member"])
async def test_guests_and_members_may_not_read_the_audit_log(gql, cast: Cast, trail, role: str):
    result = await gql(AUDIT, as_=cast.by_role(role))
    assert result.codes == ["FORBIDDEN"]
    assert result.body["data"] is None


async def test_anonymous_callers_must_sign_in_to_read_the_audit_log(gql, cast: Cast, trail):
    assert (await gql(AUDIT)).codes == ["UNAUTHENTICATED"]


async def test_the_log_pages_with_cursors_without_gaps_or_repeats(gql, cast: Cast, trail):
    seen: list[str] = []
    after = None
    while True:
        page = (await gql(AUDIT, {"first": 2, "after": after}, as_=cast.superuser)).ok()["auditLog"]
        seen += [edge["node"]["action"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["a.newest", "a.by-superuser", "instance.event", "b.event", "a.oldest"]


async def test_an_event_shows_its_actor_target_time_and_changed_fields(gql, cast: Cast):
    await event(
        "user.updated",
        tenant=cast.tenant_a,
        actor=cast.admin_a.user,
        email="x@acme.example.com",
        role="member",
    )
    (edge,) = (await gql(AUDIT, as_=cast.admin_a)).ok()["auditLog"]["edges"]
    node = edge["node"]
    assert node["action"] == "user.updated"
    assert node["actor"] == {"username": "alice"}
    assert node["actorName"] == "alice"
    assert (node["targetType"], node["targetId"]) == ("user", "x")
    assert node["changedFields"] == ["email", "role"]
    assert datetime.fromisoformat(node["at"]) > datetime.now(UTC) - timedelta(minutes=1)


async def test_an_admin_sees_a_superuser_from_elsewhere_only_by_name(gql, cast: Cast, make):
    from models import Role

    outsider = await make.user(cast.tenant_b, username="ozzy", role=Role.ADMIN, superuser=True)
    await event("user.updated", tenant=cast.tenant_a, actor=outsider)
    node = (await gql(AUDIT, as_=cast.admin_a)).ok()["auditLog"]["edges"][0]["node"]
    assert node["actor"] is None
    assert node["actorName"] == "ozzy"
    as_superuser = (await gql(AUDIT, as_=cast.superuser)).ok()["auditLog"]["edges"][0]["node"]
    assert as_superuser["actor"] == {"username": "ozzy"}


async def test_changes_made_through_the_api_appear_in_the_log(gql, cast: Cast):
    created = await gql(
        'mutation { createTenant(name: "initech") { __typename } }', as_=cast.superuser
    )
    assert created.payload("createTenant")["__typename"] == "TenantPayload"
    node = (await gql(AUDIT, as_=cast.superuser)).ok()["auditLog"]["edges"][0]["node"]
    assert node["action"] == "tenant.created"
    assert node["actor"] == {"username": "root"}
    assert node["targetType"] == "tenant"


async def test_no_mutation_can_edit_or_delete_audit_events():
    mutations = schema.get_type_by_name("Mutation")
    assert mutations is not None
    names = [field.name.lower() for field in mutations.fields]  # type: ignore[attr-defined]
    assert not [name for name in names if "audit" in name or "event" in name]


async def test_secrets_are_recorded_as_set_never_by_value(app, cast: Cast):
    from domain import audit

    row = await audit.record(
        actor_of(cast.superuser.user),
        "settings.smtp_updated",
        tenant_id=None,
        changes={"host": "mail", "password": "hunter22!"},
    )
    assert row.changes == {"host": "mail", "password": "<set>"}
