"""`node(id:)` and `nodes(ids:)`: any object fetched again by its ID alone, under the same
rules as the fields that list it. What a caller may not see is null, like what does not
exist; a string that is no ID is null too, never an error."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from domain import audit
from domain.scim_tokens import create_scim_token
from domain.secrets import encrypt
from domain.users import actor_of
from domain.webhook_queue import queue
from domain.webhooks import new_secret
from models import GroupRoleMapping, Role, Webhook
from tests.factories import Cast, Factory, Person
from tests.graphql_client import GraphQLClient
from tests.sql_counter import counting_sql

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


@dataclass
class World:
    """Two tenants, each with every kind of Node, owned and sent by various roles."""

    cast: Cast
    # id -> GraphQL type name
    objects: dict[str, str]
    # A request made with member_a's API token.
    member_token: Person
    # Webhook IDs, whose deliveries are listed by webhookDeliveries(webhookId:).
    webhooks: list[str]


async def _webhook(objects: dict[str, str], tenant_id: uuid.UUID | None) -> str:
    hook = await Webhook.create(
        # TEST-NET-1: refused as a reserved address, so the worker never sends anything.
        tenant_id=tenant_id, url="http://192.0.2.1/", events=["webhook.test"],
        secret_encrypted=encrypt(new_secret()),
    )  # fmt: skip
    delivery = await queue(hook, "webhook.test", "{}")
    objects[str(hook.id)] = "Webhook"
    objects[str(delivery.id)] = "WebhookDelivery"
    return str(hook.id)


@pytest.fixture
async def world(make: Factory, cast: Cast) -> World:
    objects: dict[str, str] = {}
    webhooks = [await _webhook(objects, None)]
    for tenant, admin, member in (
        (cast.tenant_a, cast.admin_a, cast.member_a),
        (cast.tenant_b, cast.admin_b, cast.member_b),
    ):
        objects[str(tenant.id)] = "Tenant"
        for owner in (admin, member):
            objects[str((await make.project(owner.user)).id)] = "Project"
            objects[str((await make.api_token(owner.user))[0].id)] = "ApiToken"
            invitation = await make.invitation(tenant, invited_by=owner.user)
            objects[str(invitation.id)] = "Invitation"
        objects[str((await make.signup_domain(tenant)).id)] = "SignupDomain"
        scim_token = await create_scim_token(actor_of(admin.user), str(tenant.id))
        objects[str(scim_token.token.id)] = "ScimToken"
        mapping = await GroupRoleMapping.create(
            tenant=tenant, group="Staff", group_key="staff", role=Role.MEMBER
        )
        objects[str(mapping.id)] = "GroupRoleMapping"
        webhooks.append(await _webhook(objects, tenant.id))
        event = await audit.record(None, "test.event", tenant_id=tenant.id)
        objects[str(event.id)] = "AuditEvent"
    # A guest who owns a project (given to them before they became a guest).
    objects[str((await make.project(cast.guest_a.user)).id)] = "Project"
    objects[str((await make.api_token(cast.guest_a.user))[0].id)] = "ApiToken"
    objects[str((await audit.record(None, "instance.event", tenant_id=None)).id)] = "AuditEvent"
    for person in (cast.superuser, cast.admin_a, cast.member_a, cast.guest_a, cast.admin_b,
                   cast.member_b):  # fmt: skip
        objects[person.id] = "User"
    token, secret = await make.api_token(cast.member_a.user)
    objects[str(token.id)] = "ApiToken"
    return World(cast, objects, Person(user=cast.member_a.user, token=secret), webhooks)


# What each caller sees through the fields that list objects. Errors (a field the caller may
# not use) show nothing; partial answers (an owner's objects they may not see) show the rest.
SEEN_THROUGH_LISTS = [
    "{ me { id tenant { id } ownedProjects { id } ownedTokens { id } } }",
    "{ tenants { id } }",
    """query($t: ID) { users(first: 100, tenantId: $t) { edges { node { id tenant { id }
         ownedProjects { id owner { id } } ownedTokens { id owner { id } } } } } }""",
    "{ projects(first: 100) { edges { node { id owner { id } } } } }",
    """query($t: ID) { invitations(first: 100, tenantId: $t) {
         edges { node { id invitedBy { id } } } } }""",
    "query($t: ID) { signupDomains(tenantId: $t) { id } }",
    "query($t: ID!) { scimTokens(tenantId: $t) { id } }",
    "query($t: ID!) { groupRoleMappings(tenantId: $t) { id } }",
    "{ auditLog(first: 100) { edges { node { id actor { id } } } } }",
    "query($t: ID) { webhooks(tenantId: $t) { id } }",
]
DELIVERIES = "query($w: ID!) { webhookDeliveries(webhookId: $w) { edges { node { id } } } }"


def _ids_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["id"]} if isinstance(value.get("id"), str) else set()
        return found.union(*(_ids_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_ids_in(v) for v in value))
    return set()


async def _seen_through_lists(gql: GraphQLClient, world: World, viewer: Person) -> set[str]:
    seen: set[str] = set()
    tenants = [None, str(world.cast.tenant_a.id), str(world.cast.tenant_b.id)]
    for query in SEEN_THROUGH_LISTS:
        for tenant in tenants if "$t" in query else [None]:
            result = await gql(query, {"t": tenant} if "$t" in query else None, as_=viewer)
            seen |= _ids_in(result.data)
    for webhook_id in world.webhooks:
        seen |= _ids_in((await gql(DELIVERIES, {"w": webhook_id}, as_=viewer)).data)
    return seen


VIEWERS = ["superuser", "admin_a", "member_a", "guest_a", "admin_b", "member_b", "member_token"]


def _viewer(world: World, name: str) -> Person:
    return world.member_token if name == "member_token" else getattr(world.cast, name)


@pytest.mark.parametrize("viewer_name", VIEWERS)
async def test_node_answers_exactly_what_the_lists_show_the_caller(
    gql: GraphQLClient, world: World, viewer_name: str
) -> None:
    viewer = _viewer(world, viewer_name)
    seen = await _seen_through_lists(gql, world, viewer) & set(world.objects)
    fetched = set()
    for object_id, type_name in world.objects.items():
        node = (await gql(NODE, {"id": object_id}, as_=viewer)).ok()["node"]
        if node is not None:
            assert node == {"__typename": type_name, "id": object_id}
            fetched.add(object_id)
    assert fetched == seen
    assert viewer.id in fetched  # everyone sees themselves, guests included


@pytest.mark.parametrize("viewer_name", VIEWERS)
async def test_nodes_answers_like_node_for_each_id_in_order(
    gql: GraphQLClient, world: World, viewer_name: str
) -> None:
    viewer = _viewer(world, viewer_name)
    ids = list(world.objects)
    one_by_one = [
        (await gql(NODE, {"id": object_id}, as_=viewer)).ok()["node"] for object_id in ids
    ]
    assert (await gql(NODES, {"ids": ids}, as_=viewer)).ok()["nodes"] == one_by_one


async def test_a_node_of_each_type_answers_its_own_fields(gql: GraphQLClient, world: World):
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename
      ... on User { username } ... on Tenant { name } ... on Project { name owner { id } }
      ... on ApiToken { prefix } ... on Invitation { username invitedBy { id } }
      ... on SignupDomain { domain } ... on AuditEvent { action }
      ... on ScimToken { prefix } ... on GroupRoleMapping { group }
      ... on Webhook { url } ... on WebhookDelivery { event } } }"""
    nodes = (await gql(query, {"ids": list(world.objects)}, as_=world.cast.superuser)).ok()
    answered = {node["__typename"] for node in nodes["nodes"] if node is not None}
    assert answered == set(world.objects.values())
    assert all(len(node) > 1 for node in nodes["nodes"] if node is not None)


@pytest.mark.parametrize(
    "not_an_id",
    ["", "not-an-id", "0", "VXNlcjox", str(uuid.uuid4()), "5a3c6a4e-4c1f-4f53-9a59-2e61c2f0f3a1x"],
    ids=["empty", "words", "a number", "a base64 global ID", "an unknown UUID", "almost a UUID"],
)
async def test_an_id_that_names_nothing_is_null(gql: GraphQLClient, cast: Cast, not_an_id: str):
    assert (await gql(NODE, {"id": not_an_id}, as_=cast.superuser)).ok() == {"node": None}
    nodes = (await gql(NODES, {"ids": [not_an_id, cast.admin_a.id]}, as_=cast.superuser)).ok()
    assert nodes["nodes"] == [None, {"__typename": "User", "id": cast.admin_a.id}]


async def test_node_needs_a_signed_in_caller(gql: GraphQLClient, cast: Cast):
    result = await gql(NODE, {"id": cast.admin_a.id})
    assert result.codes == ["UNAUTHENTICATED"]


async def test_nodes_looks_up_at_most_a_page_of_ids(gql: GraphQLClient, cast: Cast):
    ids = [str(uuid.uuid4()) for _ in range(101)]
    result = await gql(NODES, {"ids": ids}, as_=cast.superuser)
    assert result.codes == ["BAD_USER_INPUT"]
    assert (await gql(NODES, {"ids": ids[:100]}, as_=cast.superuser)).ok()["nodes"] == [None] * 100


async def test_nodes_asks_each_table_once_however_many_ids(gql: GraphQLClient, world: World):
    ids = list(world.objects)
    with counting_sql() as sql:
        await gql(NODES, {"ids": [*ids, str(uuid.uuid4())]}, as_=world.cast.superuser)
        for_all = len(sql.statements)
        sql.statements.clear()
        await gql(NODES, {"ids": [str(uuid.uuid4())]}, as_=world.cast.superuser)
        for_none = len(sql.statements)
    assert len(ids) > 20
    assert for_all == for_none, sql.statements


async def test_a_node_the_caller_sees_in_the_first_table_costs_one_lookup(
    gql: GraphQLClient, world: World
):
    with counting_sql() as sql:
        answer = await gql(NODE, {"id": world.cast.member_a.id}, as_=world.cast.admin_a)
    assert answer.ok()["node"]["id"] == world.cast.member_a.id
    assert len(sql.statements) == 2, sql.statements  # the session, the user


async def test_an_id_out_of_reach_takes_the_queries_of_one_that_does_not_exist(
    gql: GraphQLClient, world: World
):
    """No count of queries tells 'exists elsewhere' from 'never existed'."""
    elsewhere = world.cast.member_b.id
    with counting_sql() as sql:
        assert (await gql(NODE, {"id": elsewhere}, as_=world.cast.member_a)).ok()["node"] is None
        out_of_reach = len(sql.statements)
        sql.statements.clear()
        missing = str(uuid.uuid4())
        assert (await gql(NODE, {"id": missing}, as_=world.cast.member_a)).ok()["node"] is None
        never_existed = len(sql.statements)
    assert out_of_reach == never_existed


async def test_a_member_sees_a_colleagues_project_but_not_their_token(
    gql: GraphQLClient, make: Factory, cast: Cast
):
    project = await make.project(cast.admin_a.user)
    token, _ = await make.api_token(cast.admin_a.user)
    ask = await gql(NODES, {"ids": [str(project.id), str(token.id)]}, as_=cast.member_a)
    assert ask.ok()["nodes"] == [{"__typename": "Project", "id": str(project.id)}, None]


async def test_a_node_id_works_where_an_argument_takes_that_type(
    gql: GraphQLClient, make: Factory, cast: Cast
):
    project = await make.project(cast.member_a.user)
    node = (await gql(NODE, {"id": str(project.id)}, as_=cast.admin_a)).ok()["node"]
    deleted = await gql(
        "mutation($id: ID!) { deleteProject(id: $id) { ... on DeleteProjectSuccess "
        "{ deletedProjectId } } }",
        {"id": node["id"]},
        as_=cast.admin_a,
    )
    assert deleted.ok()["deleteProject"] == {"deletedProjectId": str(project.id)}


async def test_a_guest_fetches_only_themselves_among_users(
    gql: GraphQLClient, make: Factory, cast: Cast
):
    ids = [cast.guest_a.id, cast.member_a.id]
    nodes = (await gql(NODES, {"ids": ids}, as_=cast.guest_a)).ok()["nodes"]
    assert nodes == [{"__typename": "User", "id": cast.guest_a.id}, None]
    assert cast.guest_a.user.role is Role.GUEST


async def test_a_user_asked_twice_lists_what_they_own_both_times(
    gql: GraphQLClient, make: Factory, cast: Cast
):
    await make.project(cast.member_a.user, "site")
    await make.api_token(cast.member_a.user, "deploy")
    query = (
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { "
        "ownedProjects { name } ownedTokens { name } } } }"
    )

    answer = await gql(query, {"ids": [cast.member_a.id] * 2}, as_=cast.member_a)

    owned = {"ownedProjects": [{"name": "site"}], "ownedTokens": [{"name": "deploy"}]}
    assert answer.ok()["nodes"] == [owned, owned]
