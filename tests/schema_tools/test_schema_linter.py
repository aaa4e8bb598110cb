"""graphql-schema-linter's description and Relay rules pass on schema.graphql: every type,
field, argument, enum value and input field is described (the schema is the frontend teams'
documentation), and connections, their arguments and PageInfo follow Relay's spec. The rules
are this folder's .graphql-schema-linterrc."""

from __future__ import annotations

import json

from tests.schema_tools.conftest import HERE, SCHEMA_FILE, Node


async def test_graphql_schema_linter_finds_nothing_undescribed_and_nothing_against_relay(
    node: Node,
) -> None:
    rules = json.loads((HERE / ".graphql-schema-linterrc").read_text())["rules"]
    assert "types-have-descriptions" in rules and "relay-connection-types-spec" in rules
    ran = await node.run(
        *node.bin("graphql-schema-linter", "lib/cli.js"),
        "--config-directory", str(HERE), "--format", "json", str(SCHEMA_FILE),
    )  # fmt: skip
    errors = json.loads(ran.stdout)["errors"] if ran.stdout.strip() else []
    found = [f"{e['rule']}: {e['message']}" for e in errors]
    assert found == [], "\n".join(found)
    assert ran.returncode == 0, ran.stderr
