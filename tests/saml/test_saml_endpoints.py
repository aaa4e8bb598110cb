"""GET /saml/{tenant}/metadata and /login: what the IdP and the browser are handed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

from domain.saml.settings import SamlChange, update_saml_settings
from domain.users import actor_of
from models import SamlRequest, SamlSettings

MD = "urn:oasis:names:tc:SAML:2.0:metadata"


async def test_metadata_names_the_tenants_entity_id_and_acs(http, sso_a):
    response = await http.get("/saml/acme/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/samlmetadata+xml")
    root = etree.fromstring(response.content)
    assert root.get("entityID") == "http://tenantry.test/saml/acme/metadata"
    sp = root.find(f"{{{MD}}}SPSSODescriptor")
    assert sp.get("WantAssertionsSigned") == "true"
    acs = sp.find(f"{{{MD}}}AssertionConsumerService")
    assert acs.get("Location") == "http://tenantry.test/saml/acme/acs"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


async def test_metadata_is_served_while_sso_is_still_disabled(http, sso_a):
    await SamlSettings.filter(tenant_id=sso_a.tenant.id).update(enabled=False)
    assert (await http.get("/saml/acme/metadata")).status_code == 200


async def test_unknown_tenants_and_tenants_without_sso_have_no_saml_endpoints(http, cast):
    for path in ("/saml/nowhere/metadata", "/saml/acme/metadata", "/saml/acme/login"):
        assert (await http.get(path)).status_code == 404, path
    assert (await http.post("/saml/acme/acs", data={"SAMLResponse": "x"})).status_code == 404


async def test_login_is_not_found_while_sso_is_disabled(http, sso_a):
    await SamlSettings.filter(tenant_id=sso_a.tenant.id).update(enabled=False)
    assert (await http.get("/saml/acme/login")).status_code == 404
    assert (await http.post("/saml/acme/acs", data={"SAMLResponse": "x"})).status_code == 404


async def test_login_redirects_to_the_idp_with_a_stored_authn_request(http, sso_a):
    response = await http.get("/saml/acme/login")
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "https://idp.example/acme/sso"
    )
    assert "SAMLRequest" in parse_qs(location.query)
    request_id = await sso_a.login()
    stored = await SamlRequest.get(id=request_id)
    assert stored.tenant_id == sso_a.tenant.id  # type: ignore[attr-defined]
    assert stored.relay_state == "http://tenantry.test/"


async def test_the_tenant_name_in_the_path_is_matched_regardless_of_case(http, sso_a):
    assert (await http.get("/saml/ACME/login")).status_code == 302


async def test_login_keeps_a_next_path_on_our_site(sso_a):
    request_id = await sso_a.login("/projects?tab=mine")
    assert (await SamlRequest.get(id=request_id)).relay_state == (
        "http://tenantry.test/projects?tab=mine"
    )


async def test_login_keeps_a_full_url_of_our_own_origin(sso_a):
    request_id = await sso_a.login("http://tenantry.test/settings")
    assert (await SamlRequest.get(id=request_id)).relay_state == "http://tenantry.test/settings"


async def test_login_never_sends_the_browser_elsewhere_afterwards(sso_a):
    for target in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "http://tenantry.test.evil.example/",
        "https://tenantry.test/",
        "http://user@tenantry.test/",
        "javascript:alert(1)",
        "relative/path",
        "http://[tenantry.test/",
    ):
        request_id = await sso_a.login(target)
        assert (await SamlRequest.get(id=request_id)).relay_state == "http://tenantry.test/", target


async def test_each_tenant_has_its_own_entity_id(http, cast, sso_a, idp_keys):
    await update_saml_settings(
        actor_of(cast.superuser.user),
        SamlChange(
            tenant_id=str(cast.tenant_b.id),
            enabled=False,
            idp_entity_id="https://idp.example/b",
            idp_sso_url="https://idp.example/b",
            idp_certificate=idp_keys.cert_pem,
        ),
    )
    b = etree.fromstring((await http.get("/saml/globex/metadata")).content)
    assert b.get("entityID") == "http://tenantry.test/saml/globex/metadata"


async def test_sso_attempts_from_one_client_are_rate_limited(http, sso_a):
    codes = [(await http.get("/saml/acme/login")).status_code for _ in range(31)]
    assert codes[:30] == [302] * 30
    assert codes[30] == 429
    limited = await http.get("/saml/acme/login")
    assert int(limited.headers["retry-after"]) >= 1
    assert (await http.post("/saml/acme/acs", data={"SAMLResponse": "x"})).status_code == 429


@pytest.mark.parametrize("name", ["x" * 65, "ß" * 40, "a%00b"])
async def test_a_tenant_name_no_tenant_can_have_is_simply_not_found(http, name):
    for path in ("metadata", "login"):
        response = await http.get(f"/saml/{name}/{path}")
        assert response.status_code == 404


@pytest.mark.parametrize("query", ["next=/a&next=//evil.example", "next=%ff", "next=/%zz"])
async def test_a_login_with_a_malformed_query_string_is_refused(http, sso_a, query):
    response = await http.get(f"/saml/acme/login?{query}")
    assert response.status_code == 400
    assert "query string" in response.text
    assert not await SamlRequest.exists()
