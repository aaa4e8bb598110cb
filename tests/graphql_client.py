"""A small GraphQL client over HTTP, as a frontend would call the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response

from tests.secrets_seen import remember_named


@dataclass
class Result:
    response: Response

    @property
    def body(self) -> dict[str, Any]:
        return self.response.json()

    @property
    def data(self) -> dict[str, Any]:
        return self.body.get("data") or {}

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.body.get("errors") or []

    @property
    def codes(self) -> list[str | None]:
        return [(e.get("extensions") or {}).get("code") for e in self.errors]

    def ok(self) -> dict[str, Any]:
        assert not self.errors, self.errors
        return self.data

    def payload(self, field: str) -> dict[str, Any]:
        """A mutation's result object, asserting the call itself raised no error."""
        return self.ok()[field]


class GraphQLClient:
    def __init__(self, http: AsyncClient) -> None:
        self.http = http

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Result:
        all_headers = dict(headers or {})
        bearer = token or (getattr(as_, "token", None) if as_ is not None else None)
        if bearer:
            all_headers["Authorization"] = f"Bearer {bearer}"
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        remember_named(variables, sent=True)
        response = await self.http.post("/graphql", json=body, headers=all_headers)
        if response.headers.get("content-type", "").startswith("application/json"):
            remember_named(response.json())
        return Result(response)
