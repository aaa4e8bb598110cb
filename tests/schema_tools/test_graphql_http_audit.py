"""graphql-http's audit (the GraphQL over HTTP spec's conformance suite) passes every check
against a running Tenantry: MUST, SHOULD and MAY alike."""

from __future__ import annotations

from tests.schema_tools.conftest import Node, json_lines


async def test_every_graphql_over_http_audit_passes(node: Node, endpoint: str) -> None:
    ran = await node.run(node.executable, "audit.mjs", endpoint)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    results = json_lines(ran.stdout)
    failed = [f"{r['status']}: {r['name']} ({r['reason']})" for r in results if r["status"] != "ok"]
    assert failed == []
    assert len(results) >= 61  # graphql-http 1.23.1 runs 61 audits
