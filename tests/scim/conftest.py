"""SCIM fixtures: a token of tenant A, and an HTTP client that calls the SCIM endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient, Response

from domain.scim_tokens import create_scim_token
from domain.users import actor_of
from tests.factories import Cast
from tests.scim.idp_client import HttpxSCIMClient
from tests.secrets_seen import remember

SCIM_JSON = "application/scim+json"


@dataclass
class Scim:
    """Raw SCIM calls, as an identity provider sends them."""

    http: AsyncClient
    tenant: str
    token: str

    @property
    def base(self) -> str:
        return f"/scim/v2/{self.tenant}"

    async def call(
        self, method: str, path: str, body: Any = None, *, token: str | None = None, **params: Any
    ) -> Response:
        headers = {"Authorization": f"Bearer {token or self.token}", "Accept": SCIM_JSON}
        if body is not None:
            headers["Content-Type"] = SCIM_JSON
        return await self.http.request(
            method, self.base + path, json=body, headers=headers, params=params or None
        )


async def new_scim_token(cast: Cast, tenant: str = "a") -> str:
    admin = cast.admin_a if tenant == "a" else cast.admin_b
    created = await create_scim_token(actor_of(admin.user), str(admin.user.tenant_id))
    remember(created.secret)
    return created.secret


@pytest.fixture
async def scim(http: AsyncClient, cast: Cast) -> AsyncIterator[Scim]:
    yield Scim(http=http, tenant=cast.tenant_a.name, token=await new_scim_token(cast))


@pytest.fixture
async def idp(app: object, scim: Scim) -> AsyncIterator[HttpxSCIMClient]:
    """scim2-client, configured by what the server publishes (discover)."""
    transport = ASGITransport(app=app, client=("198.51.100.20", 44000))  # type: ignore[arg-type]
    async with AsyncClient(
        transport=transport,
        base_url=f"http://tenantry.test/scim/v2/{scim.tenant}",
        headers={"Authorization": f"Bearer {scim.token}"},
    ) as http:
        client = HttpxSCIMClient(http)
        await client.discover()
        yield client
