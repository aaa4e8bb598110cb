"""`Authorization: Bearer tnt_…`: a token acts as its owner, with the owner's current role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models import ApiToken, Project, Role, User
from tests.factories import Cast, Factory

ME = "{ me { username role } }"
CREATE_PROJECT = """
mutation($name: String!) { createProject(name: $name) { __typename } }
"""
DELETE_USER = """
mutation($id: ID!) { deleteUser(id: $id) { __typename } }
"""


async def test_a_token_signs_in_as_its_owner(gql, cast: Cast, make: Factory):
    _, secret = await make.api_token(cast.member_a.user)
    assert (await gql(ME, token=secret)).ok()["me"] == {"username": "mallory", "role": "MEMBER"}


async def test_a_token_creates_objects_for_its_owner(gql, cast: Cast, make: Factory):
    _, secret = await make.api_token(cast.member_a.user)
    result = await gql(CREATE_PROJECT, {"name": "from-ci"}, token=secret)
    assert result.payload("createProject")["__typename"] == "ProjectPayload"
    assert (await Project.get(name="from-ci")).owner_id == cast.member_a.user.id


async def test_an_unknown_token_signs_in_nobody(gql, cast: Cast, make: Factory):
    _, secret = await make.api_token(cast.member_a.user)
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    assert (await gql(ME, token=forged)).ok()["me"] is None
    assert (await gql(CREATE_PROJECT, {"name": "x"}, token=forged)).codes == ["UNAUTHENTICATED"]


async def test_a_members_token_cannot_do_what_only_admins_do(gql, cast: Cast, make: Factory):
    _, secret = await make.api_token(cast.member_a.user)
    victim = await make.user(cast.tenant_a, username="victim")
    assert (await gql(DELETE_USER, {"id": str(victim.id)}, token=secret)).codes == ["FORBIDDEN"]
    assert await User.exists(id=victim.id)


async def test_a_token_gains_its_owners_promotion_at_once(gql, cast: Cast, make: Factory):
    _, secret = await make.api_token(cast.member_a.user)
    victim = await make.user(cast.tenant_a, username="victim")
    await User.filter(id=cast.member_a.user.id).update(role=Role.ADMIN)
    result = await gql(DELETE_USER, {"id": str(victim.id)}, token=secret)
    assert result.payload("deleteUser")["__typename"] == "DeleteUserSuccess"


async def test_a_token_loses_its_owners_demotion_at_once(gql, cast: Cast, make: Factory):
    _, secret = await make.api_token(cast.admin_a.user)
    victim = await make.user(cast.tenant_a, username="victim")
    await User.filter(id=cast.admin_a.user.id).update(role=Role.MEMBER)
    assert (await gql(DELETE_USER, {"id": str(victim.id)}, token=secret)).codes == ["FORBIDDEN"]
    assert await User.exists(id=victim.id)


async def test_a_guests_token_does_nothing(gql, cast: Cast, make: Factory):
    # A token made while its owner was a member, who was then made a guest.
    _, secret = await make.api_token(cast.guest_a.user)
    assert (await gql(ME, token=secret)).ok()["me"] is None
    assert (await gql(CREATE_PROJECT, {"name": "x"}, token=secret)).codes == ["UNAUTHENTICATED"]
    assert await Project.all().count() == 0


async def test_a_token_records_when_it_was_last_used(gql, cast: Cast, make: Factory):
    token, secret = await make.api_token(cast.member_a.user)
    before = datetime.now(UTC)
    await gql(ME, token=secret)
    used = (await ApiToken.get(id=token.id)).last_used_at
    assert used is not None and used >= before - timedelta(seconds=1)


async def test_last_used_is_written_at_most_once_a_minute(gql, cast: Cast, make: Factory):
    token, secret = await make.api_token(cast.member_a.user)
    await gql(ME, token=secret)
    first = (await ApiToken.get(id=token.id)).last_used_at
    for _ in range(3):
        await gql(ME, token=secret)
    assert (await ApiToken.get(id=token.id)).last_used_at == first


async def test_last_used_moves_on_after_a_minute(gql, cast: Cast, make: Factory):
    token, secret = await make.api_token(cast.member_a.user)
    long_ago = datetime.now(UTC) - timedelta(minutes=2)
    await ApiToken.filter(id=token.id).update(last_used_at=long_ago)
    await gql(ME, token=secret)
    assert (await ApiToken.get(id=token.id)).last_used_at > long_ago + timedelta(minutes=1)


async def test_last_used_is_shown_to_the_owner(gql, cast: Cast, make: Factory):
    _, secret = await make.api_token(cast.member_a.user)
    await gql(ME, token=secret)
    result = await gql("{ me { ownedTokens { lastUsedAt } } }", as_=cast.member_a)
    assert result.ok()["me"]["ownedTokens"][0]["lastUsedAt"] is not None


async def test_a_token_cannot_mint_another_token(gql, cast: Cast, make: Factory):
    """A leaked token stays containable: revoking it must not leave a second one behind."""
    from models import ApiToken

    _, secret = await make.api_token(cast.member_a.user)
    result = await gql('mutation { createApiToken(name: "spare") { __typename } }', token=secret)
    assert result.codes == ["FORBIDDEN"]
    assert await ApiToken.filter(owner_id=cast.member_a.user.id).count() == 1
