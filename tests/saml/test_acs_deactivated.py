"""A valid signed assertion for a deactivated SAML user signs nobody in; reactivated, it does."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.auth.login import sign_in
from domain.saml import flow
from models import User
from tests.saml.test_acs_sign_in import saml_user

DEACTIVATE = "mutation($id: ID!) { deactivateUser(id: $id) { __typename } }"
REACTIVATE = "mutation($id: ID!) { reactivateUser(id: $id) { __typename } }"
ME = "{ me { username } }"


async def test_a_deactivated_saml_user_is_refused_at_the_acs(gql, make, cast, sso_a, sessions):
    user = await saml_user(make, sso_a, "sam@acme.example", username="sam")
    result = await gql(DEACTIVATE, {"id": str(user.id)}, as_=cast.admin_a)
    assert result.payload("deactivateUser")["__typename"] == "UserPayload"
    await sessions.mark()
    request_id = await sso_a.login()
    response = await sso_a.post(sso_a.signed(sso_a.spec(request_id, "sam@acme.example")))
    assert response.status_code == 403
    assert "tenantry_session=" not in response.headers.get("set-cookie", "")
    assert await sessions.none_started()
    assert (await gql(ME)).ok()["me"] is None


async def test_a_reactivated_saml_user_signs_in_again(gql, make, cast, sso_a):
    user = await saml_user(make, sso_a, "sam@acme.example", username="sam")
    await gql(DEACTIVATE, {"id": str(user.id)}, as_=cast.admin_a)
    await gql(REACTIVATE, {"id": str(user.id)}, as_=cast.admin_a)
    request_id = await sso_a.login()
    response = await sso_a.post(sso_a.signed(sso_a.spec(request_id, "sam@acme.example")))
    assert response.status_code == 303
    assert (await gql(ME)).ok()["me"] == {"username": "sam"}


async def test_a_deactivation_after_the_account_lookup_still_refuses_the_acs(
    make, sso_a, sessions, monkeypatch
):
    """The account was found active; the deactivation commits before the session starts."""
    await saml_user(make, sso_a, "sam@acme.example", username="sam")

    async def deactivated_meanwhile(found, client, *, how):
        await User.filter(id=found.id).update(deactivated_at=datetime.now(UTC))
        return await sign_in(found, client, how=how)

    monkeypatch.setattr(flow, "sign_in", deactivated_meanwhile)
    request_id = await sso_a.login()
    response = await sso_a.post(sso_a.signed(sso_a.spec(request_id, "sam@acme.example")))
    assert response.status_code == 403
    assert await sessions.none_started()
