"""Apollo Client reads the members of the error unions through `... on Error` when its cache
has the generated `possibleTypes` (docs/reference/possible-types.json), as docs/frontend.md
shows it (tests/persisted/error-unions.mjs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.factories import Cast
from tests.persisted.conftest import Tenantry, node


async def signed_in_wrongly(project: Path, tenantry: Tenantry) -> dict[str, Any]:
    """alice's sign-in with a wrong password, by Apollo Client with and without possibleTypes."""
    async with tenantry(None) as url:
        args = (url, "acme", "alice", "not-the-password")
        return await node(project, *args, script="error-unions.mjs")


async def test_apollo_with_the_generated_possible_types_reads_an_error_members_message(
    project: Path, tenantry: Tenantry, cast: Cast
) -> None:
    outcome = await signed_in_wrongly(project, tenantry)
    assert outcome["withPossibleTypes"]["login"] == {
        "__typename": "InvalidCredentials",
        "message": "Invalid username or password.",
    }


async def test_apollo_without_possible_types_drops_what_on_error_selects(
    project: Path, tenantry: Tenantry, cast: Cast
) -> None:
    outcome = await signed_in_wrongly(project, tenantry)
    assert outcome["withoutPossibleTypes"]["login"] == {"__typename": "InvalidCredentials"}
