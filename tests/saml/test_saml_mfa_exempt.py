"""SAML users are exempt from a tenant's MFA requirement: their IdP owns their second factor."""

from __future__ import annotations

from models import AuthMethod, Role, Tenant

ME = "{ me { username mfaEnabled } }"


async def test_an_sso_sign_in_in_a_tenant_that_requires_mfa_gets_a_session(gql, make, sso_a):
    await Tenant.filter(id=sso_a.tenant.id).update(require_mfa=True)
    user = await make.user(
        sso_a.tenant, username="sam", email="sam@acme.example", role=Role.MEMBER,
        auth_method=AuthMethod.SAML,
    )  # fmt: skip
    user.saml_idp_entity_id, user.saml_name_id = sso_a.idp_entity_id, "sam@acme.example"
    await user.save()
    request_id = await sso_a.login()
    response = await sso_a.post(sso_a.signed(sso_a.spec(request_id, "sam@acme.example")))
    assert response.status_code == 303
    assert (await gql(ME)).ok()["me"] == {"username": "sam", "mfaEnabled": False}
