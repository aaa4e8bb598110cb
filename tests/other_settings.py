"""An app built with other settings (limits, trusted documents, Redis), sharing the test
database; the session's configuration comes back afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient

from config import Config, configure
from domain.ratelimit import reset_limiter
from web.app import create_app

ClientFactory = Callable[..., AbstractAsyncContextManager[AsyncClient]]


@pytest.fixture
async def client_with(app: object, config: Config) -> AsyncIterator[ClientFactory]:
    @asynccontextmanager
    async def build(**overrides: Any) -> AsyncIterator[AsyncClient]:
        other = create_app(config.model_copy(update=overrides), run_workers=False)
        transport = ASGITransport(app=other, client=("203.0.113.8", 51000))
        # The client speaks to the app at its public URL (https when that is).
        base_url = overrides.get("public_url", config.public_url)
        try:
            async with AsyncClient(transport=transport, base_url=base_url) as client:
                yield client
        finally:
            configure(config)
            reset_limiter()  # the next one counts where the session's configuration says

    yield build
    configure(config)
