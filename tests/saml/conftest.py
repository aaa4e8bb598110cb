"""Tenants with SSO configured against test IdPs, and a browser-like walk through the flow."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from httpx import AsyncClient, Response

from domain.saml.settings import SamlChange, update_saml_settings
from domain.users import actor_of
from models import Session, Tenant
from tests.factories import Cast
from tests.saml.idp import (
    KeyPair,
    ResponseSpec,
    build_response,
    encode,
    new_key_pair,
    request_id_of,
    sign_assertion,
)


@pytest.fixture(scope="session")
def idp_keys() -> KeyPair:
    return new_key_pair("IdP of acme")


@pytest.fixture(scope="session")
def other_idp_keys() -> KeyPair:
    return new_key_pair("IdP of globex")


@pytest.fixture(scope="session")
def stranger_keys() -> KeyPair:
    return new_key_pair("Not a configured IdP")


@dataclass
class SsoTenant:
    """One tenant's SP and the IdP it trusts; `login()` and `post()` play the browser."""

    tenant: Tenant
    idp_entity_id: str
    keys: KeyPair
    http: AsyncClient
    public_url: str = "http://tenantry.test"

    @property
    def base(self) -> str:
        return f"{self.public_url}/saml/{self.tenant.name}"

    @property
    def acs_url(self) -> str:
        return f"{self.base}/acs"

    @property
    def entity_id(self) -> str:
        return f"{self.base}/metadata"

    async def login(self, next_url: str | None = None) -> str:
        """GET /login as a browser would; the AuthnRequest ID the IdP receives."""
        params = {"next": next_url} if next_url is not None else None
        response = await self.http.get(f"/saml/{self.tenant.name}/login", params=params)
        assert response.status_code == 302, response.text
        return request_id_of(response.headers["location"])

    def spec(self, request_id: str | None, name_id: str, **changes: object) -> ResponseSpec:
        spec = ResponseSpec(
            issuer=self.idp_entity_id,
            request_id=request_id,
            acs_url=self.acs_url,
            audience=self.entity_id,
            name_id=name_id,
        )
        return spec.but(**changes) if changes else spec

    def signed(self, spec: ResponseSpec, keys: KeyPair | None = None) -> str:
        return encode(sign_assertion(build_response(spec), keys or self.keys))

    async def post(self, saml_response: str, *, to: str | None = None) -> Response:
        return await self.http.post(
            f"/saml/{to or self.tenant.name}/acs",
            data={"SAMLResponse": saml_response, "RelayState": "ignored"},
        )


async def configure(cast: Cast, tenant: Tenant, entity_id: str, keys: KeyPair) -> None:
    await update_saml_settings(
        actor_of(cast.superuser.user),
        SamlChange(
            tenant_id=str(tenant.id),
            enabled=True,
            idp_entity_id=entity_id,
            idp_sso_url=f"https://idp.example/{tenant.name}/sso",
            idp_certificate=keys.cert_pem,
        ),
    )


@pytest.fixture
async def sso_a(cast: Cast, http: AsyncClient, idp_keys: KeyPair) -> SsoTenant:
    entity_id = "https://idp.example/acme"
    await configure(cast, cast.tenant_a, entity_id, idp_keys)
    return SsoTenant(cast.tenant_a, entity_id, idp_keys, http)


@pytest.fixture
async def sso_b(cast: Cast, http: AsyncClient, other_idp_keys: KeyPair) -> SsoTenant:
    entity_id = "https://idp.example/globex"
    await configure(cast, cast.tenant_b, entity_id, other_idp_keys)
    return SsoTenant(cast.tenant_b, entity_id, other_idp_keys, http)


class Sessions:
    """Counts sessions so a test can say "nobody was signed in"."""

    def __init__(self) -> None:
        self.before = 0

    async def mark(self) -> None:
        self.before = await Session.all().count()

    async def none_started(self) -> bool:
        return await Session.all().count() == self.before


@pytest.fixture
async def sessions(cast: Cast) -> Sessions:
    counter = Sessions()
    await counter.mark()
    return counter
