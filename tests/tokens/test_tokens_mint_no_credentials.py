"""A request made with an API token acts as the token's owner but never comes away with a
credential: no API token secret (new or reissued) and no session. Revoking a leaked token
then contains the leak (issue 11)."""

from __future__ import annotations

import pytest

from models import ApiToken, DomainStatus, Project, Session, SignupDomain, User
from models.enums import AuthMethod, Role
from tests.factories import DEFAULT_PASSWORD, Cast, Factory
from tests.smtp_server import token_in
from tests.tokens.helpers import refused_as_a_token_request, token_of

CREATE_TOKEN = """
mutation($name: String!) {
  createApiToken(name: $name) { __typename ... on CreateApiTokenSuccess { token } }
}
"""
TRANSFER = """
mutation($input: TransferOwnershipInput!) {
  transferOwnership(input: $input) {
    __typename
    ... on TransferOwnershipSuccess {
      projects { id } tokens { id } reissuedTokens { token apiToken { id } }
    }
    ... on Error { message }
  }
}
"""
LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) { __typename ... on LoginSuccess { sessionToken } }
}
"""
SIGN_UP = """
mutation($input: SignUpInput!) { signUp(input: $input) { __typename } }
"""
VERIFY = """
mutation($token: String!) {
  verifyEmail(token: $token) { __typename ... on LoginSuccess { sessionToken } }
}
"""
ME = "{ me { username } }"
PASSWORD = "a long and private passphrase"


async def token_hashes(owner: User) -> dict[str, str]:
    return {str(t.id): t.token_hash for t in await ApiToken.filter(owner_id=owner.id)}


# ---------------------------------------------------------------- createApiToken


@pytest.mark.parametrize("role", ["member", "admin", "superuser"])
async def test_a_token_request_creates_no_api_token(gql, cast: Cast, make: Factory, role):
    person = cast.by_role(role)
    secret = await token_of(make, person)
    result = await gql(CREATE_TOKEN, {"name": "spare"}, token=secret)
    refused_as_a_token_request(result)
    assert await ApiToken.filter(owner_id=person.user.id).count() == 1


async def test_a_session_still_creates_api_tokens(gql, cast: Cast):
    result = await gql(CREATE_TOKEN, {"name": "ci"}, as_=cast.member_a)
    assert result.payload("createApiToken")["token"].startswith("tnt_")


# ---------------------------------------------------------------- transferOwnership


@pytest.mark.parametrize("role", ["admin", "superuser"])
async def test_a_token_request_gets_no_reissued_secrets(gql, cast: Cast, make: Factory, role):
    source = cast.member_a.user
    await make.project(source)
    await make.api_token(source)
    await make.api_token(source)
    before = await token_hashes(source)
    secret = await token_of(make, cast.by_role(role))
    result = await gql(
        TRANSFER,
        {"input": {"fromUserId": str(source.id), "toUserId": str(cast.admin_a.user.id)}},
        token=secret,
    )
    refused_as_a_token_request(result)
    assert result.body["data"] is None
    # Nothing moved, and the tokens keep their secrets: nobody learnt a new one.
    assert await token_hashes(source) == before
    assert await Project.filter(owner_id=source.id).count() == 1


async def test_a_token_request_naming_the_tokens_gets_no_reissued_secrets(
    gql, cast: Cast, make: Factory
):
    source = cast.member_a.user
    token, _ = await make.api_token(source)
    secret = await token_of(make, cast.admin_a)
    result = await gql(
        TRANSFER,
        {
            "input": {
                "fromUserId": str(source.id),
                "toUserId": str(cast.admin_a.user.id),
                "tokenIds": [str(token.id)],
                "projectIds": [],
            }
        },
        token=secret,
    )
    refused_as_a_token_request(result)
    assert (await ApiToken.get(id=token.id)).owner_id == source.id


async def test_a_token_request_may_still_move_projects_alone(gql, cast: Cast, make: Factory):
    source = cast.member_a.user
    project = await make.project(source)
    await make.api_token(source)
    secret = await token_of(make, cast.admin_a)
    result = await gql(
        TRANSFER,
        {
            "input": {
                "fromUserId": str(source.id),
                "toUserId": str(cast.admin_a.user.id),
                "tokenIds": [],
            }
        },
        token=secret,
    )
    payload = result.payload("transferOwnership")
    assert payload["projects"] == [{"id": str(project.id)}]
    assert payload["reissuedTokens"] == []
    assert (await Project.get(id=project.id)).owner_id == cast.admin_a.user.id


async def test_a_token_request_moves_a_user_without_tokens_as_its_owner_would(
    gql, cast: Cast, make: Factory
):
    source = cast.member_a.user
    await make.project(source)
    secret = await token_of(make, cast.admin_a)
    result = await gql(
        TRANSFER,
        {"input": {"fromUserId": str(source.id), "toUserId": str(cast.admin_a.user.id)}},
        token=secret,
    )
    assert result.payload("transferOwnership")["__typename"] == "TransferOwnershipSuccess"


# ---------------------------------------------------------------- sessions


async def test_a_token_request_gets_no_session_from_login(gql, cast: Cast, make: Factory):
    secret = await token_of(make, cast.member_a)
    sessions = await Session.all().count()
    login = {"input": {"tenant": "acme", "username": "mallory", "password": DEFAULT_PASSWORD}}
    result = await gql(LOGIN, login, token=secret)
    refused_as_a_token_request(result)
    assert await Session.all().count() == sessions


async def test_a_token_request_gets_no_session_from_a_verification_link(
    gql, cast: Cast, make: Factory, smtp
):
    await SignupDomain.create(
        status=DomainStatus.VERIFIED,
        tenant=cast.tenant_a, domain="example.com", default_role=Role.GUEST,
        auth_method=AuthMethod.PASSWORD,
    )  # fmt: skip
    sign_up = {
        "tenant": "acme",
        "username": "ana",
        "email": "ana@example.com",
        "password": PASSWORD,
    }
    assert (await gql(SIGN_UP, {"input": sign_up})).payload("signUp")["__typename"] == (
        "SignUpSuccess"
    )
    link_token = token_in((await smtp.wait_for(1))[0], "/verify-email")
    secret = await token_of(make, cast.member_a)
    refused_as_a_token_request(await gql(VERIFY, {"token": link_token}, token=secret))
    assert not (await User.get(username="ana")).email_verified
    # The link is still whole for its owner, who opens it without anyone's token.
    verified = await gql(VERIFY, {"token": link_token})
    assert verified.payload("verifyEmail")["__typename"] == "LoginSuccess"


async def test_a_token_request_starts_no_sign_up(gql, cast: Cast, make: Factory, smtp):
    await SignupDomain.create(
        status=DomainStatus.VERIFIED,
        tenant=cast.tenant_a, domain="example.com", default_role=Role.GUEST,
        auth_method=AuthMethod.PASSWORD,
    )  # fmt: skip
    secret = await token_of(make, cast.member_a)
    sign_up = {
        "tenant": "acme",
        "username": "ana",
        "email": "ana@example.com",
        "password": PASSWORD,
    }
    refused_as_a_token_request(await gql(SIGN_UP, {"input": sign_up}, token=secret))
    assert not await User.exists(username="ana")
    assert smtp.messages == []


# ---------------------------------------------------------------- the leak, contained


async def test_a_revoked_admin_token_leaves_no_credential_behind(gql, cast: Cast, make: Factory):
    """The review's scenario: a leaked admin token tries every way to a credential; once the
    admin revokes it, nothing it touched works."""
    leaked_row, leaked = await make.api_token(cast.admin_a.user)
    source = cast.member_a.user
    await make.api_token(source)
    hashes = await token_hashes(source)
    tokens_before, sessions_before = await ApiToken.all().count(), await Session.all().count()

    await gql(CREATE_TOKEN, {"name": "spare"}, token=leaked)
    await gql(
        TRANSFER,
        {"input": {"fromUserId": str(source.id), "toUserId": str(cast.admin_a.user.id)}},
        token=leaked,
    )
    await gql(
        LOGIN,
        {"input": {"tenant": "acme", "username": "alice", "password": DEFAULT_PASSWORD}},
        token=leaked,
    )
    revoke = "mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }"
    await gql(revoke, {"id": str(leaked_row.id)}, as_=cast.admin_a)

    assert (await gql(ME, token=leaked)).ok()["me"] is None
    assert await ApiToken.all().count() == tokens_before - 1
    assert await Session.all().count() == sessions_before
    assert await token_hashes(source) == hashes
