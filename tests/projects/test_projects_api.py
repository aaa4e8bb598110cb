"""Projects over the API: who may create, list and delete them, and the rules of their names."""

from __future__ import annotations

import pytest

from models import AuditEvent, Project
from tests.factories import Cast, Factory

CREATE = """
mutation($name: String!) {
  createProject(name: $name) {
    __typename
    ... on ProjectPayload { project { id name owner { username } createdAt } }
    ... on Error { message }
    ... on ValidationError { field }
    ... on AlreadyExists { field }
  }
}
"""
DELETE = """
mutation($id: ID!) {
  deleteProject(id: $id) {
    __typename
    ... on DeleteProjectSuccess { deletedProjectId }
    ... on Error { message }
  }
}
"""
PROJECTS = """
query($first: Int, $after: String) {
  projects(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id name owner { username } } }
  }
}
"""

CREATORS = ["member", "admin", "superuser", "other_admin"]


@pytest.mark.parametrize("role", CREATORS)
async def test_members_admins_and_superusers_create_projects_they_own(gql, cast: Cast, role):
    caller = cast.by_role(role)
    result = await gql(CREATE, {"name": "Payments API"}, as_=caller)
    payload = result.payload("createProject")
    assert payload["__typename"] == "ProjectPayload"
    assert payload["project"]["name"] == "Payments API"
    assert payload["project"]["owner"]["username"] == caller.user.username
    project = await Project.get(id=payload["project"]["id"])
    assert project.owner_id == caller.user.id
    assert project.tenant_id == caller.user.tenant_id


async def test_a_guest_may_not_create_a_project(gql, cast: Cast):
    result = await gql(CREATE, {"name": "Sneaky"}, as_=cast.guest_a)
    assert result.codes == ["FORBIDDEN"]
    assert await Project.all().count() == 0


async def test_anonymous_callers_may_not_create_a_project(gql, cast: Cast):
    result = await gql(CREATE, {"name": "Sneaky"})
    assert result.codes == ["UNAUTHENTICATED"]
    assert await Project.all().count() == 0


async def test_project_names_are_unique_per_tenant_regardless_of_case(gql, cast: Cast):
    await gql(CREATE, {"name": "Billing"}, as_=cast.member_a)
    result = await gql(CREATE, {"name": "  BILLING "}, as_=cast.admin_a)
    payload = result.payload("createProject")
    assert payload["__typename"] == "AlreadyExists"
    assert payload["field"] == "name"
    assert await Project.all().count() == 1


async def test_another_tenant_may_use_the_same_project_name(gql, cast: Cast):
    await gql(CREATE, {"name": "Billing"}, as_=cast.member_a)
    result = await gql(CREATE, {"name": "Billing"}, as_=cast.member_b)
    assert result.payload("createProject")["__typename"] == "ProjectPayload"


@pytest.mark.parametrize(
    "name", ["", "   ", "-leading-dash", "tab\there", "semi;colon", "x" * 101, "nul\x00"]
)
async def test_a_project_name_must_be_a_plain_name_of_at_most_100_characters(gql, cast: Cast, name):
    result = await gql(CREATE, {"name": name}, as_=cast.member_a)
    payload = result.payload("createProject")
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "name"
    assert await Project.all().count() == 0


async def test_a_name_whose_case_folded_form_outgrows_100_characters_is_a_validation_error(
    gql, cast: Cast
):
    # "ß" folds to "ss": the comparison key of these 100 characters has 200.
    result = await gql(CREATE, {"name": "ß" * 100}, as_=cast.member_a)
    payload = result.payload("createProject")
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "name"
    assert await Project.all().count() == 0


async def test_a_name_whose_case_folded_form_has_100_characters_is_accepted(gql, cast: Cast):
    result = await gql(CREATE, {"name": "ß" * 50}, as_=cast.member_a)
    assert result.payload("createProject")["project"]["name"] == "ß" * 50


async def test_a_project_name_is_trimmed_and_may_hold_letters_of_any_script(gql, cast: Cast):
    result = await gql(CREATE, {"name": "  Zürich Ingest (v2) "}, as_=cast.member_a)
    assert result.payload("createProject")["project"]["name"] == "Zürich Ingest (v2)"


async def test_creating_a_project_writes_an_audit_event(gql, cast: Cast):
    result = await gql(CREATE, {"name": "Audited"}, as_=cast.member_a)
    project_id = result.payload("createProject")["project"]["id"]
    event = await AuditEvent.get(action="project.created")
    assert event.target_type == "project"
    assert event.target_id == project_id
    assert event.actor_id == cast.member_a.user.id
    assert event.tenant_id == cast.tenant_a.id
    assert event.changes["name"] == "Audited"


@pytest.mark.parametrize("role", ["member", "admin", "superuser"])
async def test_projects_lists_the_callers_tenant_only(gql, cast: Cast, make: Factory, role):
    await make.project(cast.member_a.user, "acme-one")
    await make.project(cast.admin_a.user, "acme-two")
    await make.project(cast.member_b.user, "globex-one")
    result = await gql(PROJECTS, as_=cast.by_role(role))
    connection = result.ok()["projects"]
    assert connection["totalCount"] == 2
    assert [e["node"]["name"] for e in connection["edges"]] == ["acme-one", "acme-two"]


async def test_another_tenants_admin_sees_their_own_projects_only(gql, cast: Cast, make: Factory):
    await make.project(cast.member_a.user, "acme-one")
    await make.project(cast.member_b.user, "globex-one")
    result = await gql(PROJECTS, as_=cast.admin_b)
    assert [e["node"]["name"] for e in result.ok()["projects"]["edges"]] == ["globex-one"]


async def test_a_guest_may_not_list_projects(gql, cast: Cast):
    result = await gql(PROJECTS, as_=cast.guest_a)
    assert result.codes == ["FORBIDDEN"]
    assert result.body["data"] is None


async def test_anonymous_callers_may_not_list_projects(gql, cast: Cast):
    assert (await gql(PROJECTS)).codes == ["UNAUTHENTICATED"]


async def test_projects_pages_with_a_cursor(gql, cast: Cast, make: Factory):
    for name in ["a", "b", "c", "d", "e"]:
        await make.project(cast.member_a.user, name)
    first = (await gql(PROJECTS, {"first": 2}, as_=cast.member_a)).ok()["projects"]
    assert [e["node"]["name"] for e in first["edges"]] == ["a", "b"]
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    rest = (await gql(PROJECTS, {"first": 10, "after": after}, as_=cast.member_a)).ok()["projects"]
    assert [e["node"]["name"] for e in rest["edges"]] == ["c", "d", "e"]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert rest["totalCount"] == 5


async def test_a_project_shows_its_owner(gql, cast: Cast, make: Factory):
    await make.project(cast.member_a.user, "owned")
    result = await gql(PROJECTS, as_=cast.admin_a)
    assert result.ok()["projects"]["edges"][0]["node"]["owner"]["username"] == "mallory"


# ------------------------------------------------------------------ deleteProject


async def test_the_owner_deletes_their_project(gql, cast: Cast, make: Factory):
    project = await make.project(cast.member_a.user)
    result = await gql(DELETE, {"id": str(project.id)}, as_=cast.member_a)
    assert result.payload("deleteProject") == {
        "__typename": "DeleteProjectSuccess",
        "deletedProjectId": str(project.id),
    }
    assert not await Project.exists(id=project.id)


async def test_a_member_may_not_delete_a_colleagues_project(gql, cast: Cast, make: Factory):
    project = await make.project(cast.admin_a.user)
    result = await gql(DELETE, {"id": str(project.id)}, as_=cast.member_a)
    assert result.codes == ["FORBIDDEN"]
    assert await Project.exists(id=project.id)


async def test_a_guest_may_not_delete_a_project(gql, cast: Cast, make: Factory):
    project = await make.project(cast.member_a.user)
    result = await gql(DELETE, {"id": str(project.id)}, as_=cast.guest_a)
    assert result.codes == ["FORBIDDEN"]
    assert await Project.exists(id=project.id)


async def test_anonymous_callers_may_not_delete_a_project(gql, cast: Cast, make: Factory):
    project = await make.project(cast.member_a.user)
    assert (await gql(DELETE, {"id": str(project.id)})).codes == ["UNAUTHENTICATED"]
    assert await Project.exists(id=project.id)


async def test_an_admin_deletes_any_project_of_their_tenant(gql, cast: Cast, make: Factory):
    project = await make.project(cast.member_a.user)
    result = await gql(DELETE, {"id": str(project.id)}, as_=cast.admin_a)
    assert result.payload("deleteProject")["__typename"] == "DeleteProjectSuccess"
    assert not await Project.exists(id=project.id)


async def test_a_superuser_deletes_a_project_of_any_tenant(gql, cast: Cast, make: Factory):
    project = await make.project(cast.member_b.user)
    result = await gql(DELETE, {"id": str(project.id)}, as_=cast.superuser)
    assert result.payload("deleteProject")["__typename"] == "DeleteProjectSuccess"
    assert not await Project.exists(id=project.id)


async def test_another_tenants_admin_finds_no_such_project(gql, cast: Cast, make: Factory):
    project = await make.project(cast.member_a.user)
    result = await gql(DELETE, {"id": str(project.id)}, as_=cast.admin_b)
    assert result.payload("deleteProject")["__typename"] == "NotFound"
    assert await Project.exists(id=project.id)


@pytest.mark.parametrize("project_id", ["00000000-0000-0000-0000-000000000000", "not-an-id"])
async def test_deleting_a_missing_project_answers_not_found(gql, cast: Cast, project_id):
    result = await gql(DELETE, {"id": project_id}, as_=cast.admin_a)
    assert result.payload("deleteProject")["__typename"] == "NotFound"


async def test_deleting_a_project_writes_an_audit_event(gql, cast: Cast, make: Factory):
    project = await make.project(cast.member_a.user, "doomed")
    await gql(DELETE, {"id": str(project.id)}, as_=cast.admin_a)
    event = await AuditEvent.get(action="project.deleted")
    assert event.target_id == str(project.id)
    assert event.actor_id == cast.admin_a.user.id
    assert event.changes == {"name": "doomed", "owner": str(cast.member_a.user.id)}
