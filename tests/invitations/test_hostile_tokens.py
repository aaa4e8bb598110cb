"""A link token no link can hold (a lone surrogate) is just an invalid token, never a crash."""

from __future__ import annotations

import json

import pytest
from httpx import AsyncClient

PREVIEW = "query($t: String!) { invitationPreview(token: $t) { username } }"
VERIFY = "mutation($t: String!) { verifyEmail(token: $t) { __typename } }"
# Shaped like a link token (<id>.<43 characters>), with lone surrogates in it.
TOKENS = {
    "in the ID": "\ud800" * 5 + "." + "a" * 43,
    "in the MAC": "5a3c6a4e-4c1f-4f53-9a59-2e61c2f0f3a1." + "\udfff" * 43,
}


async def post(http: AsyncClient, query: str, variables: dict) -> dict:
    """JSON encoded here (ASCII escapes), as a client may send a lone surrogate: \\ud800."""
    body = json.dumps({"query": query, "variables": variables})
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    return response.json()


@pytest.mark.parametrize("where", sorted(TOKENS))
async def test_an_invitation_preview_of_a_token_with_a_lone_surrogate_shows_nothing(
    http, app, where
):
    assert await post(http, PREVIEW, {"t": TOKENS[where]}) == {"data": {"invitationPreview": None}}


@pytest.mark.parametrize("where", sorted(TOKENS))
async def test_verifying_a_token_with_a_lone_surrogate_is_an_invalid_token(http, app, where):
    assert await post(http, VERIFY, {"t": TOKENS[where]}) == {
        "data": {"verifyEmail": {"__typename": "InvalidToken"}}
    }
