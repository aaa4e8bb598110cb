"""auditLog(filter:): actions, actor, target, time and tenant narrow the log, newest first and
paged, in the caller's reach only; a filter no event could match by its form is a typed
error."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.audit.trail import NOW, Trail, build_trail
from tests.factories import Cast

AUDIT = """
query($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { node { action tenant { name } } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}
"""


@pytest.fixture
async def trail(cast: Cast) -> Trail:
    return await build_trail(cast)


async def actions(gql, person, **filter) -> list[str]:
    result = await gql(AUDIT, {"filter": filter}, as_=person)
    return [edge["node"]["action"] for edge in result.ok()["auditLog"]["edges"]]


async def test_a_filter_on_actions_keeps_only_those_newest_first(gql, cast: Cast, trail):
    found = await actions(gql, cast.admin_a, actions=["user.created", "user.role_changed"])
    assert found == ["user.role_changed", "user.created"]


async def test_a_filter_on_the_actor_keeps_only_their_changes(gql, cast: Cast, trail):
    found = await actions(gql, cast.admin_a, actorId=cast.admin_a.id)
    assert found == ["user.role_changed", "user.created"]


async def test_a_filter_on_the_target_answers_who_changed_one_user(gql, cast: Cast, trail):
    found = await actions(gql, cast.admin_a, targetType="user", targetId=trail.bob_id)
    assert found == ["user.deactivated", "user.role_changed", "user.created"]


async def test_since_is_inclusive_and_until_exclusive(gql, cast: Cast, trail):
    since = (NOW - timedelta(minutes=50)).isoformat()
    until = (NOW - timedelta(minutes=20)).isoformat()
    found = await actions(gql, cast.admin_a, since=since, until=until)
    assert found == ["project.created", "user.created"]


async def test_filters_combine(gql, cast: Cast, trail):
    found = await actions(
        gql,
        cast.admin_a,
        actions=["user.role_changed", "user.deactivated"],
        actorId=cast.admin_a.id,
    )
    assert found == ["user.role_changed"]


async def test_a_superuser_reads_one_tenants_events_by_its_id(gql, cast: Cast, trail):
    found = await actions(gql, cast.superuser, tenantId=str(cast.tenant_b.id))
    assert found == ["user.role_changed"]


async def test_a_superuser_without_a_tenant_filter_reads_every_tenant_and_the_instance(
    gql, cast: Cast, trail
):
    found = await actions(
        gql, cast.superuser, actions=["user.role_changed", "settings.smtp_updated"]
    )
    assert found == ["user.role_changed", "settings.smtp_updated", "user.role_changed"]


async def test_an_admin_filtering_on_another_tenant_finds_nothing(gql, cast: Cast, trail):
    assert await actions(gql, cast.admin_a, tenantId=str(cast.tenant_b.id)) == []
    assert await actions(gql, cast.admin_b, tenantId=str(cast.tenant_a.id)) == []


async def test_an_admin_filtering_on_their_own_tenant_reads_it(gql, cast: Cast, trail):
    assert len(await actions(gql, cast.admin_a, tenantId=str(cast.tenant_a.id))) == 4


async def test_another_tenants_admin_never_sees_this_tenants_events_through_filters(
    gql, cast: Cast, trail
):
    found = await actions(gql, cast.admin_b, targetType="user", targetId=trail.bob_id)
    assert found == []
    assert await actions(gql, cast.admin_b, actorId=cast.admin_a.id) == []


async def test_an_api_token_of_an_admin_reads_the_filtered_log(gql, cast: Cast, trail, make):
    _, secret = await make.api_token(cast.admin_a.user)
    result = await gql(AUDIT, {"filter": {"actions": ["user.created"]}}, token=secret)
    assert [e["node"]["action"] for e in result.ok()["auditLog"]["edges"]] == ["user.created"]


@pytest.mark.parametrize("role", ["guest", "member"])
async def test_guests_and_members_may_not_filter_the_log(gql, cast: Cast, trail, role: str):
    result = await gql(AUDIT, {"filter": {"actions": ["user.created"]}}, as_=cast.by_role(role))
    assert result.codes == ["FORBIDDEN"]


async def test_anonymous_callers_may_not_filter_the_log(gql, cast: Cast, trail):
    result = await gql(AUDIT, {"filter": {"actions": ["user.created"]}})
    assert result.codes == ["UNAUTHENTICATED"]


async def test_a_filtered_log_pages_with_its_count(gql, cast: Cast, trail):
    filter = {"targetType": "user", "targetId": trail.bob_id}
    first = (await gql(AUDIT, {"filter": filter, "first": 2}, as_=cast.admin_a)).ok()["auditLog"]
    assert first["totalCount"] == 3
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    rest = await gql(AUDIT, {"filter": filter, "first": 2, "after": after}, as_=cast.admin_a)
    page = rest.ok()["auditLog"]
    assert [e["node"]["action"] for e in page["edges"]] == ["user.created"]
    assert page["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("filter", "field"),
    [
        ({"actorId": "not-an-id"}, "actorId"),
        ({"tenantId": "42"}, "tenantId"),
        ({"actions": ["x" * 65]}, "actions"),
        ({"actions": [""]}, "actions"),
        ({"actions": [f"a.{n}" for n in range(51)]}, "actions"),
        ({"targetType": "t" * 33}, "targetType"),
        ({"targetId": "bad\u0000id"}, "targetId"),
        ({"since": "2026-11-30T12:00:00"}, "since"),
        ({"since": "2026-11-30T12:00:00Z", "until": "2026-11-30T11:00:00Z"}, "since"),
    ],
)
async def test_a_filter_no_event_could_match_is_a_typed_error_naming_its_field(
    gql, cast: Cast, trail, filter: dict, field: str
):
    result = await gql(AUDIT, {"filter": filter}, as_=cast.superuser)
    assert result.codes == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == field
    assert result.body["data"] is None
