"""Responses the ACS must refuse. Each one fails, sets no cookie and starts no session.

Every response here answers a real AuthnRequest from /login, for a user who would otherwise be
signed in, so the one thing wrong with it is the reason it fails.
"""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from models import AuthMethod, Role, SamlAssertionSeen, SamlRequest, User
from tests.saml.idp import NSMAP, build_response, encode, sign_assertion

NAME = "sam@acme.example"
NAME_B = "bob@globex.example"


@pytest.fixture(autouse=True)
async def users(make, sso_a, sso_b) -> None:
    for sso, email in ((sso_a, NAME), (sso_b, NAME_B)):
        user = await make.user(
            sso.tenant, email=email, auth_method=AuthMethod.SAML, role=Role.MEMBER
        )
        user.saml_idp_entity_id, user.saml_name_id = sso.idp_entity_id, email
        await user.save()


@pytest.fixture
def refused(sessions, caplog):
    """Refused, for the reason given (a part of the logged reason), with nobody signed in."""
    caplog.set_level(logging.WARNING, logger="tenantry.saml")

    async def check(response, reason: str) -> bool:
        logged = [r.getMessage() for r in caplog.records if r.name == "tenantry.saml"]
        caplog.clear()
        assert logged and reason in logged[-1], logged
        return (
            response.status_code == 403
            and "set-cookie" not in response.headers
            and await sessions.none_started()
        )

    return check


async def test_the_control_case_is_accepted(sso_a, sessions):
    """Without it the refusals below could pass for the wrong reason."""
    response = await sso_a.post(sso_a.signed(sso_a.spec(await sso_a.login(), NAME)))
    assert response.status_code == 303
    assert not await sessions.none_started()


async def test_an_unsigned_assertion_is_refused(sso_a, refused):
    unsigned = encode(build_response(sso_a.spec(await sso_a.login(), NAME)))
    assert await refused(await sso_a.post(unsigned), "Assertion of the Response is not signed")


async def test_a_name_id_changed_after_signing_is_refused(sso_a, refused):
    document = sign_assertion(build_response(sso_a.spec(await sso_a.login(), NAME)), sso_a.keys)
    document.find(".//saml:NameID", namespaces=NSMAP).text = "root@acme.example"
    assert await refused(await sso_a.post(encode(document)), "Signature validation failed")


async def test_a_signature_by_another_key_is_refused(sso_a, stranger_keys, refused):
    forged = sso_a.signed(sso_a.spec(await sso_a.login(), NAME), keys=stranger_keys)
    assert await refused(await sso_a.post(forged), "Signature validation failed")


async def test_a_wrapped_assertion_is_refused(sso_a, refused):
    """XML signature wrapping: a signed assertion kept aside, an evil one where it is read."""
    request_id = await sso_a.login()
    genuine = sign_assertion(build_response(sso_a.spec(request_id, NAME)), sso_a.keys)
    evil = build_response(sso_a.spec(request_id, "root@acme.example"))
    evil_assertion = evil.find("saml:Assertion", namespaces=NSMAP)
    extensions = etree.SubElement(genuine, "{urn:oasis:names:tc:SAML:2.0:protocol}Extensions")
    extensions.append(genuine.find("saml:Assertion", namespaces=NSMAP))
    genuine.append(evil_assertion)
    assert await refused(await sso_a.post(encode(genuine)), "must contain 1 assertion")


async def test_a_response_for_another_audience_is_refused(sso_a, refused):
    spec = sso_a.spec(await sso_a.login(), NAME, audience="https://other-sp.example/metadata")
    assert await refused(await sso_a.post(sso_a.signed(spec)), "not a valid audience")


async def test_a_response_for_another_destination_is_refused(sso_a, refused):
    spec = sso_a.spec(await sso_a.login(), NAME, destination="https://other-sp.example/acs")
    assert await refused(
        await sso_a.post(sso_a.signed(spec)), "instead of https://other-sp.example/acs"
    )


async def test_a_destination_that_only_starts_like_ours_is_refused(sso_a, refused):
    spec = sso_a.spec(await sso_a.login(), NAME, destination=sso_a.acs_url + "-elsewhere")
    assert await refused(await sso_a.post(sso_a.signed(spec)), "(Destination)")


async def test_a_response_for_another_recipient_is_refused(sso_a, refused):
    spec = sso_a.spec(await sso_a.login(), NAME, recipient="https://other-sp.example/acs")
    assert await refused(
        await sso_a.post(sso_a.signed(spec)), "valid SubjectConfirmation was not found"
    )


async def test_a_recipient_that_merely_contains_our_acs_is_refused(sso_a, refused):
    recipient = "https://other-sp.example/acs?for=" + sso_a.acs_url
    spec = sso_a.spec(await sso_a.login(), NAME, recipient=recipient)
    assert await refused(await sso_a.post(sso_a.signed(spec)), "No bearer confirmation")


async def test_an_expired_assertion_is_refused(sso_a, refused):
    past = datetime.now(UTC) - timedelta(minutes=30)
    spec = sso_a.spec(
        await sso_a.login(), NAME, not_before=past - timedelta(minutes=5), not_on_or_after=past
    )
    assert await refused(await sso_a.post(sso_a.signed(spec)), "expired")


async def test_an_assertion_not_yet_valid_is_refused(sso_a, refused):
    future = datetime.now(UTC) + timedelta(minutes=30)
    spec = sso_a.spec(
        await sso_a.login(), NAME, not_before=future, not_on_or_after=future + timedelta(minutes=5)
    )
    assert await refused(await sso_a.post(sso_a.signed(spec)), "not yet valid")


async def test_a_replayed_response_is_refused(sso_a, sessions, refused):
    response = sso_a.signed(sso_a.spec(await sso_a.login(), NAME))
    assert (await sso_a.post(response)).status_code == 303
    sso_a.http.cookies.clear()
    await sessions.mark()
    assert await refused(await sso_a.post(response), "no pending request")


async def test_an_assertion_id_seen_before_is_refused_even_for_a_new_request(
    sso_a, sessions, refused
):
    first = sso_a.spec(await sso_a.login(), NAME)
    assert (await sso_a.post(sso_a.signed(first))).status_code == 303
    sso_a.http.cookies.clear()
    await sessions.mark()
    again = sso_a.spec(await sso_a.login(), NAME, assertion_id=first.assertion_id)
    assert await refused(await sso_a.post(sso_a.signed(again)), "was used before")


async def test_seen_assertion_ids_are_kept_until_the_assertion_expires(sso_a):
    spec = sso_a.spec(await sso_a.login(), NAME)
    await sso_a.post(sso_a.signed(spec))
    seen = await SamlAssertionSeen.get()
    assert seen.expires_at > datetime.now(UTC) + timedelta(minutes=4)


async def test_an_unknown_in_response_to_is_refused(sso_a, refused):
    await sso_a.login()
    spec = sso_a.spec("ONELOGIN_not_a_request_of_ours", NAME)
    assert await refused(await sso_a.post(sso_a.signed(spec)), "no pending request")


async def test_an_unsolicited_response_is_refused(sso_a, refused):
    spec = sso_a.spec(None, NAME)
    assert await refused(await sso_a.post(sso_a.signed(spec)), "unsolicited")


async def test_an_expired_request_is_refused(sso_a, refused):
    request_id = await sso_a.login()
    await SamlRequest.filter(id=request_id).update(expires_at=datetime.now(UTC) - timedelta(1))
    assert await refused(
        await sso_a.post(sso_a.signed(sso_a.spec(request_id, NAME))), "no pending request"
    )


async def test_a_failed_attempt_uses_up_the_request(sso_a, refused):
    request_id = await sso_a.login()
    unsigned = encode(build_response(sso_a.spec(request_id, NAME)))
    assert await refused(await sso_a.post(unsigned), "not signed")
    assert await refused(
        await sso_a.post(sso_a.signed(sso_a.spec(request_id, NAME))), "no pending request"
    )


async def test_a_response_whose_assertion_answers_another_request_is_refused(sso_a, refused):
    first, second = await sso_a.login(), await sso_a.login()
    document = build_response(sso_a.spec(first, NAME))
    document.set("InResponseTo", second)  # the unsigned envelope says `second`
    signed = sign_assertion(document, sso_a.keys)
    assert await refused(
        await sso_a.post(encode(signed)), "valid SubjectConfirmation was not found"
    )


async def test_tenant_a_idp_response_posted_to_tenant_b_acs_is_refused(sso_a, sso_b, refused):
    """Tenant A's IdP (a different key) speaks for B's request, B's ACS and B's audience."""
    spec = sso_b.spec(await sso_b.login(), NAME_B, issuer=sso_a.idp_entity_id)
    assert await refused(await sso_b.post(sso_b.signed(spec, keys=sso_a.keys)), "Invalid issuer")


async def test_tenant_a_idp_cannot_pose_as_tenant_b_idp(sso_a, sso_b, refused):
    spec = sso_b.spec(await sso_b.login(), NAME_B)  # B's issuer, signed with A's key
    assert await refused(
        await sso_b.post(sso_b.signed(spec, keys=sso_a.keys)), "Signature validation failed"
    )


async def test_a_genuine_response_of_tenant_a_is_refused_at_tenant_b(sso_a, sso_b, refused):
    genuine = sso_a.signed(sso_a.spec(await sso_a.login(), NAME_B))
    await sso_b.login()
    assert await refused(await sso_a.post(genuine, to="globex"), "no pending request")
    assert not await User.exists(tenant_id=sso_a.tenant.id, email="bob@globex.example")


async def test_garbage_is_refused(sso_a, refused):
    await sso_a.login()
    for body in (
        "",
        "not base64!",
        base64.b64encode(b"<not-xml").decode(),
        base64.b64encode(b'<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>').decode(),
    ):
        reason = "no SAMLResponse" if not body else "unsolicited"
        assert await refused(await sso_a.post(body), reason), body


async def test_a_non_form_post_is_refused(sso_a, refused):
    await sso_a.login()
    response = await sso_a.http.post("/saml/acme/acs", json={"SAMLResponse": "x"})
    assert await refused(response, "no SAMLResponse")
