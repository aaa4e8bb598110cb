"""Behind a transaction pooler LISTEN cannot work (domain/events.py): a server process told so
(TENANTRY_DATABASE_POOLER=transaction) with no direct URL to listen on refuses subscriptions,
saying why, rather than deliver only the changes made in its own process."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Config, DatabasePooler
from domain.events import NO_DIRECT_URL
from tests.factories import Cast
from tests.subscriptions.client import signed_in
from tests.subscriptions.test_across_processes import _serving
from tests.subscriptions.test_reach import USERS

pytestmark = pytest.mark.postgres


async def test_without_a_direct_url_a_pooled_server_refuses_subscriptions_saying_why(
    config: Config, cast: Cast, tmp_path: Path
) -> None:
    pooled = config.model_copy(
        update={"database_pooler": DatabasePooler.TRANSACTION, "database_direct_url": None}
    )
    with _serving(pooled, tmp_path, 1) as [port]:
        async with signed_in(f"ws://127.0.0.1:{port}/graphql", cast.admin_a.token) as conn:
            operation = await conn.subscribe(USERS)
            message = await conn.next_for(operation)
    [error] = message["payload"]["errors"]
    assert (error["message"], error["extensions"]["code"]) == (NO_DIRECT_URL, "SUBSCRIPTION_ENDED")
