"""POST /saml/{tenant}/acs with a valid signed response: who is signed in, and who is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain import validation
from domain.secrets import new_nonce
from models import AuditEvent, AuthMethod, DomainStatus, Invitation, Role, SignupDomain, User

ME = "{ me { username role superuser authMethod tenant { name } } }"


async def saml_user(make, sso, email: str, **kwargs: object) -> User:
    user = await make.user(sso.tenant, email=email, auth_method=AuthMethod.SAML, **kwargs)
    user.saml_idp_entity_id, user.saml_name_id = sso.idp_entity_id, email
    await user.save()
    return user


async def invite(
    sso, username: str, email: str, role: Role, method: AuthMethod = AuthMethod.SAML
) -> Invitation:
    return await Invitation.create(
        tenant=sso.tenant,
        username=username,
        username_key=validation.key(username),
        email=email,
        email_key=validation.key(email),
        role=role,
        auth_method=method,
        nonce=new_nonce(),
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )


async def test_an_existing_saml_user_signs_in_and_lands_on_the_frontend(gql, make, sso_a):
    await saml_user(make, sso_a, "sam@acme.example", username="sam", role=Role.MEMBER)
    request_id = await sso_a.login()
    response = await sso_a.post(sso_a.signed(sso_a.spec(request_id, "sam@acme.example")))
    assert response.status_code == 303
    assert response.headers["location"] == "http://tenantry.test/"
    assert "tenantry_session=" in response.headers["set-cookie"]
    me = (await gql(ME)).ok()["me"]  # the browser's cookie, nothing else
    assert me == {
        "username": "sam",
        "role": "MEMBER",
        "superuser": False,
        "authMethod": "SAML",
        "tenant": {"name": "acme"},
    }


async def test_the_browser_goes_back_to_where_login_was_asked_from(make, sso_a):
    await saml_user(make, sso_a, "sam@acme.example")
    request_id = await sso_a.login("/projects/42")
    response = await sso_a.post(sso_a.signed(sso_a.spec(request_id, "sam@acme.example")))
    assert response.headers["location"] == "http://tenantry.test/projects/42"


async def test_a_saml_sign_in_is_audited(make, sso_a):
    user = await saml_user(make, sso_a, "sam@acme.example")
    request_id = await sso_a.login()
    await sso_a.post(sso_a.signed(sso_a.spec(request_id, "sam@acme.example")))
    event = await AuditEvent.get(action="user.signed_in", target_id=str(user.id))
    assert event.changes == {"method": "saml"}
    assert event.tenant_id == sso_a.tenant.id  # type: ignore[attr-defined]


async def test_a_pending_saml_invitation_is_consumed_and_its_user_created(gql, sso_a):
    invitation = await invite(sso_a, "newbie", "newbie@acme.example", Role.GUEST)
    request_id = await sso_a.login()
    response = await sso_a.post(sso_a.signed(sso_a.spec(request_id, "Newbie@ACME.example")))
    assert response.status_code == 303
    assert not await Invitation.exists(id=invitation.id)
    user = await User.get(tenant_id=sso_a.tenant.id, username="newbie")
    assert (user.role, user.auth_method, user.superuser, user.password_hash) == (
        Role.GUEST,
        AuthMethod.SAML,
        False,
        None,
    )
    assert (user.saml_idp_entity_id, user.saml_name_id) == (
        sso_a.idp_entity_id,
        "Newbie@ACME.example",
    )
    assert (await gql(ME)).ok()["me"]["username"] == "newbie"
    event = await AuditEvent.get(action="invitation.accepted", target_id=str(user.id))
    assert event.changes["invitation"] == str(invitation.id)


async def test_the_email_may_come_from_an_attribute_when_the_name_id_is_opaque(sso_a):
    await invite(sso_a, "opaque", "opaque@acme.example", Role.MEMBER)
    request_id = await sso_a.login()
    spec = sso_a.spec(request_id, "a1b2c3d4", attributes={"email": ["opaque@acme.example"]})
    assert (await sso_a.post(sso_a.signed(spec))).status_code == 303
    user = await User.get(username="opaque")
    assert user.saml_name_id == "a1b2c3d4"
    # Next time the NameID alone finds them: the invitation is gone.
    spec = sso_a.spec(await sso_a.login(), "a1b2c3d4")
    assert (await sso_a.post(sso_a.signed(spec))).status_code == 303


async def test_a_password_or_pam_invitation_is_not_consumed_by_sso(sso_a, sessions):
    invitation = await invite(sso_a, "pw", "pw@acme.example", Role.MEMBER, AuthMethod.PASSWORD)
    request_id = await sso_a.login()
    response = await sso_a.post(sso_a.signed(sso_a.spec(request_id, "pw@acme.example")))
    assert response.status_code == 403
    assert await Invitation.exists(id=invitation.id)
    assert await sessions.none_started()


async def test_a_saml_signup_domain_creates_the_user_with_its_default_role(gql, sso_a):
    await SignupDomain.create(
        status=DomainStatus.VERIFIED,
        tenant=sso_a.tenant,
        domain="acme.example",
        default_role=Role.MEMBER,
        auth_method=AuthMethod.SAML,
    )
    request_id = await sso_a.login()
    response = await sso_a.post(sso_a.signed(sso_a.spec(request_id, "fresh.face@acme.example")))
    assert response.status_code == 303
    me = (await gql(ME)).ok()["me"]
    assert me == {
        "username": "fresh.face",
        "role": "MEMBER",
        "superuser": False,
        "authMethod": "SAML",
        "tenant": {"name": "acme"},
    }
    assert (await User.get(username="fresh.face")).signed_up


async def test_a_taken_username_gets_a_number_on_signup(make, sso_a):
    await make.user(sso_a.tenant, username="fresh", email="fresh@elsewhere.example")
    await SignupDomain.create(
        status=DomainStatus.VERIFIED,
        tenant=sso_a.tenant,
        domain="acme.example",
        default_role=Role.GUEST,
        auth_method=AuthMethod.SAML,
    )
    response = await sso_a.post(sso_a.signed(sso_a.spec(await sso_a.login(), "fresh@acme.example")))
    assert response.status_code == 303
    assert await User.exists(username="fresh-2", email="fresh@acme.example")


async def test_a_password_signup_domain_does_not_admit_sso_users(sso_a, sessions):
    await SignupDomain.create(
        status=DomainStatus.VERIFIED,
        tenant=sso_a.tenant,
        domain="acme.example",
        default_role=Role.MEMBER,
        auth_method=AuthMethod.PASSWORD,
    )
    response = await sso_a.post(sso_a.signed(sso_a.spec(await sso_a.login(), "x@acme.example")))
    assert response.status_code == 403
    assert not await User.exists(email="x@acme.example")
    assert await sessions.none_started()


async def test_nobody_unknown_gets_in(sso_a, sessions):
    response = await sso_a.post(sso_a.signed(sso_a.spec(await sso_a.login(), "who@acme.example")))
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert await sessions.none_started()


async def test_a_password_user_with_the_same_email_is_not_signed_in(make, sso_a, sessions):
    await make.user(sso_a.tenant, username="pat", email="pat@acme.example")
    await SignupDomain.create(
        status=DomainStatus.VERIFIED,
        tenant=sso_a.tenant,
        domain="acme.example",
        default_role=Role.MEMBER,
        auth_method=AuthMethod.SAML,
    )
    await invite(sso_a, "pat2", "other@acme.example", Role.MEMBER)
    response = await sso_a.post(sso_a.signed(sso_a.spec(await sso_a.login(), "pat@acme.example")))
    assert response.status_code == 403
    assert await sessions.none_started()
    assert await User.filter(email_key="pat@acme.example").count() == 1


async def test_a_pam_user_whose_name_id_matches_is_not_signed_in(make, sso_a, sessions):
    user = await make.user(
        sso_a.tenant, username="penny", email="penny@acme.example", auth_method=AuthMethod.PAM
    )
    # Even linked to the identity (by an operator's mistake), the method must be SAML.
    user.saml_idp_entity_id, user.saml_name_id = sso_a.idp_entity_id, "penny@acme.example"
    await user.save()
    response = await sso_a.post(sso_a.signed(sso_a.spec(await sso_a.login(), "penny@acme.example")))
    assert response.status_code == 403
    assert await sessions.none_started()


async def test_the_same_name_id_from_another_idp_is_another_identity(make, sso_a, sessions):
    """A user linked to an earlier IdP is not signed in by a new one: the e-mail is taken."""
    user = await saml_user(make, sso_a, "sam@acme.example")
    user.saml_idp_entity_id = "https://old-idp.example"
    await user.save()
    response = await sso_a.post(sso_a.signed(sso_a.spec(await sso_a.login(), "sam@acme.example")))
    assert response.status_code == 403
    assert await sessions.none_started()


async def test_sso_never_makes_a_superuser(cast, sso_a):
    await invite(sso_a, "boss", "boss@acme.example", Role.ADMIN)
    spec = sso_a.spec(
        await sso_a.login(),
        "boss@acme.example",
        attributes={"superuser": ["true"], "role": ["superuser"]},
    )
    assert (await sso_a.post(sso_a.signed(spec))).status_code == 303
    user = await User.get(username="boss")
    assert (user.role, user.superuser) == (Role.ADMIN, False)


async def test_an_overlong_name_id_is_refused_not_crashed(sso_a, sessions):
    await SignupDomain.create(
        status=DomainStatus.VERIFIED,
        tenant=sso_a.tenant,
        domain="acme.example",
        default_role=Role.MEMBER,
        auth_method=AuthMethod.SAML,
    )
    name_id = "x" * 1100 + "@acme.example"
    response = await sso_a.post(sso_a.signed(sso_a.spec(await sso_a.login(), name_id)))
    assert response.status_code == 403
    assert await sessions.none_started()


async def test_a_saml_user_cannot_log_in_with_a_password(gql, make, sso_a):
    await saml_user(make, sso_a, "sam@acme.example", username="sam")
    login = """mutation($input: LoginInput!) { login(input: $input) { __typename } }"""
    for password in ("correct horse battery staple", "anything-else-1"):
        result = await gql(
            login, {"input": {"tenant": "acme", "username": "sam", "password": password}}
        )
        assert result.payload("login")["__typename"] == "InvalidCredentials"
