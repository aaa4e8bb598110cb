"""createApiToken(expiresAt:): a token may be given an end, after which it answers exactly
like an unknown token. Without one it lasts until revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from models import ApiToken, AuditEvent
from tests.factories import Cast
from tests.secrets_seen import remember

CREATE = """
mutation($name: String!, $expiresAt: DateTime) {
  createApiToken(name: $name, expiresAt: $expiresAt) {
    __typename
    ... on CreateApiTokenSuccess { token apiToken { id expiresAt lastUsedAt } }
    ... on ValidationError { message field }
  }
}
"""
ME = "{ me { username } }"
OWNED = "{ me { ownedTokens { name expiresAt } } }"


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def create(gql, person, expires_at: str | None) -> dict:
    result = await gql(CREATE, {"name": "ci", "expiresAt": expires_at}, as_=person)
    payload = result.payload("createApiToken")
    if payload.get("token"):
        remember(payload["token"])
    return payload


async def test_a_token_with_an_end_shows_it_and_works_until_then(gql, cast: Cast):
    end = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    created = await create(gql, cast.member_a, iso(end))
    assert created["__typename"] == "CreateApiTokenSuccess"
    assert datetime.fromisoformat(created["apiToken"]["expiresAt"]) == end
    assert (await gql(ME, token=created["token"])).ok()["me"] == {"username": "mallory"}
    owned = (await gql(OWNED, as_=cast.member_a)).ok()["me"]["ownedTokens"]
    assert [datetime.fromisoformat(t["expiresAt"]) for t in owned] == [end]


async def test_a_token_without_an_end_has_none(gql, cast: Cast):
    created = await create(gql, cast.member_a, None)
    assert created["apiToken"]["expiresAt"] is None


async def test_an_expired_token_answers_like_an_unknown_one(gql, cast: Cast):
    created = await create(gql, cast.member_a, iso(datetime.now(UTC) + timedelta(days=1)))
    await ApiToken.filter(id=created["apiToken"]["id"]).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    expired = await gql(ME, token=created["token"])
    unknown = await gql(ME, token="tnt_" + "A" * 43)
    assert expired.body == unknown.body == {"data": {"me": None}}
    assert (await ApiToken.get(id=created["apiToken"]["id"])).last_used_at is None


@pytest.mark.parametrize(
    ("when", "words"),
    [
        (lambda now: iso(now - timedelta(minutes=1)), "in the future"),
        (lambda now: iso(now + timedelta(days=3700)), "within ten years"),
        (lambda now: (now + timedelta(days=1)).replace(tzinfo=None).isoformat(), "time zone"),
        (lambda now: "9999-12-31T23:00:00-05:00", "within ten years"),
    ],
    ids=["past", "too-far", "no-time-zone", "past-the-last-representable-time"],
)
async def test_an_unusable_end_is_a_validation_error_and_creates_nothing(
    gql, cast: Cast, when, words
):
    created = await create(gql, cast.member_a, when(datetime.now(UTC)))
    assert created["__typename"] == "ValidationError"
    assert created["field"] == "expiresAt"
    assert words in created["message"]
    assert not await ApiToken.exists()


async def test_the_end_is_in_the_audit_event(gql, cast: Cast):
    end = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    await create(gql, cast.member_a, iso(end))
    event = await AuditEvent.get(action="api_token.created")
    assert datetime.fromisoformat(event.changes["expiresAt"]) == end


async def test_an_end_in_another_time_zone_is_the_same_moment(gql, cast: Cast):
    end = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    in_new_york = end.astimezone(timezone(timedelta(hours=-5))).isoformat()
    created = await create(gql, cast.member_a, in_new_york)
    assert datetime.fromisoformat(created["apiToken"]["expiresAt"]) == end


TRANSFER = """
mutation($input: TransferOwnershipInput!) {
  transferOwnership(input: $input) {
    __typename
    ... on TransferOwnershipSuccess { reissuedTokens { token apiToken { expiresAt } } }
  }
}
"""


async def test_a_moved_token_keeps_its_end(gql, cast: Cast):
    end = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    await create(gql, cast.member_a, iso(end))
    variables = {"input": {"fromUserId": cast.member_a.id, "toUserId": cast.admin_a.id}}
    result = (await gql(TRANSFER, variables, as_=cast.admin_a)).payload("transferOwnership")
    (moved,) = result["reissuedTokens"]
    remember(moved["token"])
    assert datetime.fromisoformat(moved["apiToken"]["expiresAt"]) == end
