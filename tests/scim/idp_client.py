"""scim2-client over the suite's httpx client: requests go through the whole app (routing,
middleware, the SCIM endpoints) as an identity provider's would. scim2-client ships an
engine for httpx2 only; this is its httpx twin."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response
from scim2_client.client import BaseAsyncSCIMClient, RawResponse


class HttpxSCIMClient(BaseAsyncSCIMClient):
    def __init__(self, client: AsyncClient, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        base = self.client.base_url
        url = self.client.build_request("GET", endpoint).url
        return url.host == base.host and url.raw_path.startswith(base.raw_path)

    def _parse_json(self, response: RawResponse) -> Any:
        return response.json()  # type: ignore[attr-defined]

    async def request(self, method: str, url: str, **kwargs: Any) -> Response:
        return await self.client.request(method, url, **kwargs)
