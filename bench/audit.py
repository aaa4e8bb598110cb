"""The audit log at a million events on PostgreSQL: the latency of auditLog's filtered pages
(one connection, so each figure is one request's time), and the export's rate.

`python -m bench` runs it after the PostgreSQL figures; `python -m bench --only audit` runs
it alone. The events are written by PostgreSQL itself (bench/audit_seed.py), spread over 20
tenants, 200 actors and targets and 12 actions, one every 31 seconds back from now (a year).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

from bench import wrk

EVENTS = 1_000_000
PAGE = (
    "query AuditPage($filter: AuditLogFilter) { auditLog(first: 50, filter: $filter) { "
    "edges { node { id at action actorName targetType targetId } } "
    "pageInfo { hasNextPage endCursor } } }"
)


def seed(
    database_url: str, secret: str, prepare: Callable[[str], dict[str, str]]
) -> dict[str, str]:
    """bench/seed.py's tenant (prepare), then the audit events, in a child process."""
    seeded = prepare(database_url)
    code = (
        "import asyncio, json\n"
        "from tortoise import Tortoise\n"
        "from config import Config, configure\n"
        "from models.db import tortoise_config\n"
        "from bench.audit_seed import seed_audit\n"
        "async def main():\n"
        f"    configure(Config(database_url={database_url!r}, secret_key={secret!r}))\n"
        f"    await Tortoise.init(config=tortoise_config({database_url!r}))\n"
        "    try:\n"
        f"        print('SEEDED ' + json.dumps(await seed_audit({EVENTS})))\n"
        "    finally:\n"
        "        await Tortoise.close_connections()\n"
        "asyncio.run(main())\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("SEEDED ")), None)
    if line is None:
        raise SystemExit(
            f"seeding the audit log failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        )
    return {**seeded, **json.loads(line.removeprefix("SEEDED ")),
            "seed_seconds": f"{time.monotonic() - started:.0f}"}  # fmt: skip


def pages(seeded: dict[str, str]) -> list[tuple[str, str, dict[str, object]]]:
    """(what, whose token, filter) of each figure."""
    now = datetime.now(UTC)
    week = {"since": (now - timedelta(days=60)).isoformat(),
            "until": (now - timedelta(days=53)).isoformat()}  # fmt: skip
    return [
        ("tenant admin, no filter (their tenant's newest)", "admin_token", {}),
        ("tenant admin, one action", "admin_token", {"actions": ["user.role_changed"]}),
        ("tenant admin, one target (who changed this user?)", "admin_token",
         {"targetType": "user", "targetId": seeded["target_id"]}),
        ("tenant admin, one actor", "admin_token", {"actorId": seeded["actor_id"]}),
        ("tenant admin, an action none of their events has", "admin_token",
         {"actions": ["no.such_action"]}),
        ("tenant admin, a week two months ago", "admin_token", week),
        ("superuser, every tenant (newest)", "superuser_token", {}),
        ("superuser, one tenant", "superuser_token", {"tenantId": seeded["tenant_id"]}),
        ("superuser, two actions", "superuser_token",
         {"actions": ["user.deleted", "ownership.transferred"]}),
        ("superuser, one actor", "superuser_token", {"actorId": seeded["actor_id"]}),
    ]  # fmt: skip


def measure(
    database_url: str,
    secret: str,
    seconds: float,
    prepare: Callable[[str], dict[str, str]],
    server: Callable[[str, str | None], AbstractContextManager[str]],
) -> dict[str, object]:
    seeded = seed(database_url, secret, prepare)
    figures: dict[str, object] = {"seed_seconds": seeded["seed_seconds"], "pages": []}
    with server(database_url, None) as url:
        for what, token, wanted in pages(seeded):
            body = json.dumps({"query": PAGE, "variables": {"filter": wanted}})
            answer = _post(url, body, seeded[token])
            count = len(answer["data"]["auditLog"]["edges"]) if answer.get("data") else answer
            auth = f"Bearer {seeded[token]}"
            wrk.run(url, body=body, auth=auth, connections=1, threads=1, seconds=1)  # warm
            run = wrk.run(url, body=body, auth=auth, connections=1, threads=1, seconds=seconds)
            figures["pages"].append((what, count, run))  # type: ignore[attr-defined]
        figures["export"] = _export(url, seeded["admin_token"])
    return figures


def _post(url: str, body: str, token: str) -> dict:  # type: ignore[type-arg]
    request = urllib.request.Request(
        f"{url}/graphql", data=body.encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
        return json.loads(answer.read())  # type: ignore[no-any-return]


def _export(url: str, token: str) -> tuple[int, float, int]:
    """The tenant admin's whole export (their tenant's 50,000 events): lines, seconds, bytes."""
    request = urllib.request.Request(
        f"{url}/audit-log/export?format=jsonl", headers={"Authorization": f"Bearer {token}"}
    )
    started = time.perf_counter()
    lines = size = 0
    with urllib.request.urlopen(request, timeout=600) as answer:  # noqa: S310
        for line in answer:
            lines += 1
            size += len(line)
    return lines, time.perf_counter() - started, size


def report(figures: dict[str, object]) -> list[str]:
    lines = [f"### audit log, {EVENTS:,} events, PostgreSQL", "",
             f"Seeded in {figures['seed_seconds']} s (generate_series). One connection: each "
             "figure is one request's whole time, GraphQL included.", "",
             "| auditLog(first: 50, filter: …) | events answered | p50 | p99 | target |",
             "| --- | --- | --- | --- | --- |"]  # fmt: skip
    for what, count, run in figures["pages"]:  # type: ignore[attr-defined]
        lines.append(f"| {what} | {count} | {run.p50_ms:.1f} ms | {run.p99_ms:.1f} ms "
                     f"| milliseconds |")  # fmt: skip
    exported, seconds, size = figures["export"]  # type: ignore[misc]
    lines += ["", f"Export of the tenant admin's events (JSON Lines): {exported:,} events, "
              f"{size / 1024 / 1024:.1f} MiB in {seconds:.1f} s ({exported / seconds:,.0f} "
              "events/s).", ""]  # fmt: skip
    return lines
