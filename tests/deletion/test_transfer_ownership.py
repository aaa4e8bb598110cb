"""transferOwnership: all or chosen objects, to an admin or member of the tenant, atomically."""

from __future__ import annotations

import pytest

from models import ApiToken, AuditEvent, Project, Role, User
from tests.factories import Cast, Factory
from tests.graphql_client import GraphQLClient
from tests.other_settings import ClientFactory

TRANSFER = """
mutation($input: TransferOwnershipInput!) {
  transferOwnership(input: $input) {
    __typename
    ... on TransferOwnershipSuccess {
      projects { id owner { username } }
      tokens { id owner { username } }
    }
    ... on Error { message }
    ... on ValidationError { field }
  }
}
"""
DELETE_USER = """
mutation($id: ID!) { deleteUser(id: $id) { __typename } }
"""


async def owned_by(user: User) -> tuple[set[str], set[str]]:
    projects = {str(p) for p in await Project.filter(owner_id=user.id).values_list("id", flat=True)}
    tokens = {str(t) for t in await ApiToken.filter(owner_id=user.id).values_list("id", flat=True)}
    return projects, tokens


async def holdings(make: Factory, owner: User, projects: int = 2, tokens: int = 2):
    made_projects = [await make.project(owner) for _ in range(projects)]
    made_tokens = [(await make.api_token(owner))[0] for _ in range(tokens)]
    return made_projects, made_tokens


async def transfer(gql, caller, **input_) -> dict:
    result = await gql(TRANSFER, {"input": input_}, as_=caller)
    return result.payload("transferOwnership")


async def test_an_admin_moves_everything_and_the_user_can_then_be_deleted(
    gql, cast: Cast, make: Factory
):
    source, receiver = cast.member_a.user, cast.admin_a.user
    projects, tokens = await holdings(make, source)
    payload = await transfer(
        gql, cast.admin_a, fromUserId=str(source.id), toUserId=str(receiver.id)
    )
    assert payload["__typename"] == "TransferOwnershipSuccess"
    assert {p["id"] for p in payload["projects"]} == {str(p.id) for p in projects}
    assert {t["id"] for t in payload["tokens"]} == {str(t.id) for t in tokens}
    assert {p["owner"]["username"] for p in payload["projects"] + payload["tokens"]} == {"alice"}
    assert await owned_by(source) == (set(), set())
    deleted = await gql(DELETE_USER, {"id": str(source.id)}, as_=cast.admin_a)
    assert deleted.payload("deleteUser")["__typename"] == "DeleteUserSuccess"
    assert await owned_by(receiver) == ({str(p.id) for p in projects}, {str(t.id) for t in tokens})


async def test_chosen_objects_move_and_the_rest_stay(gql, cast: Cast, make: Factory):
    source, receiver = cast.member_a.user, cast.admin_a.user
    projects, tokens = await holdings(make, source, projects=3, tokens=2)
    payload = await transfer(
        gql,
        cast.admin_a,
        fromUserId=str(source.id),
        toUserId=str(receiver.id),
        projectIds=[str(projects[0].id), str(projects[2].id)],
        tokenIds=[str(tokens[1].id)],
    )
    assert payload["__typename"] == "TransferOwnershipSuccess"
    assert await owned_by(receiver) == (
        {str(projects[0].id), str(projects[2].id)},
        {str(tokens[1].id)},
    )
    assert await owned_by(source) == ({str(projects[1].id)}, {str(tokens[0].id)})


async def test_an_empty_choice_moves_nothing_of_that_kind(gql, cast: Cast, make: Factory):
    source, receiver = cast.member_a.user, cast.admin_a.user
    projects, tokens = await holdings(make, source)
    payload = await transfer(
        gql, cast.admin_a, fromUserId=str(source.id), toUserId=str(receiver.id), projectIds=[]
    )
    assert payload["projects"] == [] and len(payload["tokens"]) == 2
    assert await owned_by(source) == ({str(p.id) for p in projects}, set())


async def test_choosing_an_object_the_source_does_not_own_moves_nothing(
    gql, cast: Cast, make: Factory
):
    source, receiver = cast.member_a.user, cast.admin_a.user
    projects, tokens = await holdings(make, source)
    someone_elses = await make.project(cast.superuser.user)
    before = await owned_by(source)
    payload = await transfer(
        gql,
        cast.admin_a,
        fromUserId=str(source.id),
        toUserId=str(receiver.id),
        projectIds=[str(projects[0].id), str(someone_elses.id)],
    )
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "projectIds"
    assert await owned_by(source) == before
    assert (await Project.get(id=someone_elses.id)).owner_id == cast.superuser.user.id


@pytest.mark.parametrize("bad_id", ["00000000-0000-0000-0000-000000000000", "not-an-id"])
async def test_choosing_a_token_that_does_not_exist_moves_nothing(
    gql, cast: Cast, make: Factory, bad_id
):
    source, receiver = cast.member_a.user, cast.admin_a.user
    projects, tokens = await holdings(make, source)
    before = await owned_by(source)
    payload = await transfer(
        gql,
        cast.admin_a,
        fromUserId=str(source.id),
        toUserId=str(receiver.id),
        tokenIds=[str(tokens[0].id), bad_id],
    )
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "tokenIds"
    assert await owned_by(source) == before


async def test_the_receiver_may_not_be_a_guest(gql, cast: Cast, make: Factory):
    await holdings(make, cast.member_a.user)
    before = await owned_by(cast.member_a.user)
    payload = await transfer(
        gql, cast.admin_a, fromUserId=cast.member_a.id, toUserId=cast.guest_a.id
    )
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "toUserId"
    assert await owned_by(cast.member_a.user) == before


async def test_the_receiver_must_be_in_the_same_tenant_even_for_a_superuser(
    gql, cast: Cast, make: Factory
):
    await holdings(make, cast.member_a.user)
    before = await owned_by(cast.member_a.user)
    payload = await transfer(
        gql, cast.superuser, fromUserId=cast.member_a.id, toUserId=cast.member_b.id
    )
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "toUserId"
    assert await owned_by(cast.member_a.user) == before


@pytest.mark.parametrize("receiver", ["00000000-0000-0000-0000-000000000000", "nope"])
async def test_a_missing_receiver_is_a_validation_error(gql, cast: Cast, make: Factory, receiver):
    await holdings(make, cast.member_a.user)
    payload = await transfer(gql, cast.admin_a, fromUserId=cast.member_a.id, toUserId=receiver)
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "toUserId"


async def test_the_receiver_must_be_another_user(gql, cast: Cast, make: Factory):
    await holdings(make, cast.member_a.user)
    payload = await transfer(
        gql, cast.admin_a, fromUserId=cast.member_a.id, toUserId=cast.member_a.id
    )
    assert payload["__typename"] == "ValidationError"


async def test_a_member_receives_objects(gql, cast: Cast, make: Factory):
    colleague = await make.user(cast.tenant_a, username="colleague", role=Role.MEMBER)
    await holdings(make, cast.member_a.user)
    payload = await transfer(
        gql, cast.admin_a, fromUserId=cast.member_a.id, toUserId=str(colleague.id)
    )
    assert payload["__typename"] == "TransferOwnershipSuccess"
    assert await owned_by(cast.member_a.user) == (set(), set())


async def test_a_superuser_transfers_within_another_tenant(gql, cast: Cast, make: Factory):
    await holdings(make, cast.member_b.user)
    payload = await transfer(
        gql, cast.superuser, fromUserId=cast.member_b.id, toUserId=cast.admin_b.id
    )
    assert payload["__typename"] == "TransferOwnershipSuccess"
    assert await owned_by(cast.member_b.user) == (set(), set())


async def test_another_tenants_admin_finds_no_such_user(gql, cast: Cast, make: Factory):
    await holdings(make, cast.member_a.user)
    before = await owned_by(cast.member_a.user)
    payload = await transfer(
        gql, cast.admin_b, fromUserId=cast.member_a.id, toUserId=cast.admin_b.id
    )
    assert payload["__typename"] == "NotFound"
    assert await owned_by(cast.member_a.user) == before


async def test_an_admin_may_not_move_a_superusers_objects(gql, cast: Cast, make: Factory):
    # Admins act on their tenant's users but never on superusers: taking a superuser's tokens
    # (reissued to the admin) would take over their integrations.
    await holdings(make, cast.superuser.user)
    before = await owned_by(cast.superuser.user)
    result = await gql(
        TRANSFER,
        {"input": {"fromUserId": cast.superuser.id, "toUserId": cast.admin_a.id}},
        as_=cast.admin_a,
    )
    assert result.codes == ["FORBIDDEN"]
    assert await owned_by(cast.superuser.user) == before


@pytest.mark.parametrize("role", ["member", "guest"])
async def test_members_and_guests_may_not_transfer(gql, cast: Cast, make: Factory, role):
    await holdings(make, cast.admin_a.user)
    before = await owned_by(cast.admin_a.user)
    result = await gql(
        TRANSFER,
        {"input": {"fromUserId": cast.admin_a.id, "toUserId": cast.member_a.id}},
        as_=cast.by_role(role),
    )
    assert result.codes == ["FORBIDDEN"]
    assert await owned_by(cast.admin_a.user) == before


async def test_anonymous_callers_may_not_transfer(gql, cast: Cast):
    result = await gql(
        TRANSFER, {"input": {"fromUserId": cast.admin_a.id, "toUserId": cast.member_a.id}}
    )
    assert result.codes == ["UNAUTHENTICATED"]


async def test_a_transfer_writes_an_audit_event_naming_what_moved(gql, cast: Cast, make: Factory):
    projects, tokens = await holdings(make, cast.member_a.user, projects=1, tokens=1)
    await transfer(gql, cast.admin_a, fromUserId=cast.member_a.id, toUserId=cast.admin_a.id)
    event = await AuditEvent.get(action="ownership.transferred")
    assert event.actor_id == cast.admin_a.user.id
    assert event.target_id == cast.member_a.id
    assert event.changes == {
        "from": cast.member_a.id,
        "to": cast.admin_a.id,
        "projects": [str(projects[0].id)],
        "tokens": [str(tokens[0].id)],
    }


ME_SUPERUSER = "{ me { username superuser } }"


async def test_an_admin_may_not_hand_a_token_to_a_superuser_and_so_act_as_one(
    gql, cast: Cast, make: Factory
):
    # The secret stays with whoever created the token; after a move it would act as the
    # superuser. Nobody grants more than they hold.
    token, secret = await make.api_token(cast.admin_a.user)
    payload = await transfer(
        gql,
        cast.admin_a,
        fromUserId=cast.admin_a.id,
        toUserId=cast.superuser.id,
        tokenIds=[str(token.id)],
        projectIds=[],
    )
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "toUserId"
    assert (await ApiToken.get(id=token.id)).owner_id == cast.admin_a.user.id  # type: ignore[attr-defined]
    assert (await gql(ME_SUPERUSER, token=secret)).ok()["me"] == {
        "username": "alice",
        "superuser": False,
    }


async def test_an_admin_may_still_hand_projects_to_a_superuser(gql, cast: Cast, make: Factory):
    project = await make.project(cast.admin_a.user)
    payload = await transfer(
        gql,
        cast.admin_a,
        fromUserId=cast.admin_a.id,
        toUserId=cast.superuser.id,
        projectIds=[str(project.id)],
        tokenIds=[],
    )
    assert payload["__typename"] == "TransferOwnershipSuccess"


async def test_a_superuser_may_hand_a_token_to_a_superuser(gql, cast: Cast, make: Factory):
    token, _ = await make.api_token(cast.admin_a.user)
    payload = await transfer(
        gql,
        cast.superuser,
        fromUserId=cast.admin_a.id,
        toUserId=cast.superuser.id,
        tokenIds=[str(token.id)],
    )
    assert payload["__typename"] == "TransferOwnershipSuccess"


async def test_choosing_tens_of_thousands_of_ids_is_a_validation_error_not_a_crash(
    client_with: ClientFactory, cast: Cast, make: Factory
):
    import uuid

    await holdings(make, cast.member_a.user)
    # More than a database takes as parameters of one statement (PostgreSQL: 32767), in a
    # body larger than the default limit lets through (1 MiB), so the limit is raised here.
    chosen = [str(uuid.uuid4()) for _ in range(40_000)]
    async with client_with(max_body_bytes=4 * 1024 * 1024) as client:
        payload = await transfer(
            GraphQLClient(client),
            cast.admin_a,
            fromUserId=cast.member_a.id,
            toUserId=cast.admin_a.id,
            projectIds=chosen,
        )
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "projectIds"


REISSUE = """
mutation($input: TransferOwnershipInput!) {
  transferOwnership(input: $input) {
    ... on TransferOwnershipSuccess { reissuedTokens { token apiToken { id prefix } } }
  }
}
"""


async def test_a_moved_token_gets_a_new_secret_and_the_old_one_stops_working(
    gql, cast: Cast, make: Factory
):
    """The previous owner knew the secret: moved to an admin, it must not act as the admin."""
    token, old_secret = await make.api_token(cast.member_a.user)
    result = await gql(
        REISSUE,
        {"input": {"fromUserId": cast.member_a.id, "toUserId": cast.admin_a.id}},
        as_=cast.admin_a,
    )
    [reissued] = result.payload("transferOwnership")["reissuedTokens"]
    assert reissued["apiToken"]["id"] == str(token.id)
    assert reissued["token"].startswith(reissued["apiToken"]["prefix"])
    assert reissued["token"] != old_secret
    assert (await gql("{ me { username } }", token=old_secret)).ok() == {"me": None}
    now = await gql("{ me { username } }", token=reissued["token"])
    assert now.ok() == {"me": {"username": "alice"}}
