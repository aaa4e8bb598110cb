"""`tenantry audit-export`: the operator's export of the audit log, from the server's shell.

It reads the database the server uses (TENANTRY_DATABASE_URL) with no account: whoever runs it
already holds the database. The same formats and filters as GET /audit-log/export; the file
is written a batch at a time (constant memory), to --output or standard output.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from datetime import datetime
from typing import BinaryIO

from tortoise import Tortoise

from config import Config
from domain.audit_log import AuditFilter, every_event_batches
from domain.errors import ValidationFailed
from domain.tenants import tenant_named
from models.db import tortoise_config
from web.audit_formats import ExportFormat, encode, header


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = sub.add_parser(
        "audit-export", help="write the audit log as JSON Lines or CSV (every tenant's)"
    )
    export.add_argument("--tenant", help="only this tenant's events (its name)")
    export.add_argument("--format", choices=[f.value for f in ExportFormat], default="jsonl")
    export.add_argument(
        "--action", action="append", default=[], help="only this action (repeatable)"
    )
    export.add_argument("--actor-id", help="only changes made by this user ID")
    export.add_argument("--target-type", help="only changes to objects of this kind")
    export.add_argument("--target-id", help="only changes to the object of this ID")
    export.add_argument("--since", type=_time, help="from this time (ISO 8601, with its zone)")
    export.add_argument("--until", type=_time, help="before this time (ISO 8601, with its zone)")
    export.add_argument(
        "--output", help="the file to write (mode 0600); standard output if left out"
    )
    export.set_defaults(func=cmd_audit_export)


def _time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: {value!r}") from None


def cmd_audit_export(config: Config, args: argparse.Namespace) -> int:
    return asyncio.run(_export(config, args))


async def _export(config: Config, args: argparse.Namespace) -> int:
    kind = ExportFormat(args.format)
    await Tortoise.init(config=tortoise_config(config.database_url))
    try:
        tenant_id = None
        if args.tenant is not None:
            tenant = await tenant_named(args.tenant)
            if tenant is None:
                print(f"no tenant named {args.tenant!r}", file=sys.stderr)
                return 1
            tenant_id = str(tenant.id)
        wanted = AuditFilter(
            actions=tuple(args.action),
            actor_id=args.actor_id,
            target_type=args.target_type,
            target_id=args.target_id,
            since=args.since,
            until=args.until,
            tenant_id=tenant_id,
        )
        try:
            batches = every_event_batches(wanted)
        except ValidationFailed as refused:
            print(f"{refused.field}: {refused}", file=sys.stderr)
            return 1
        with _opened(args.output) as out:
            out.write(header(kind))
            async for rows in batches:
                out.write(encode(kind, rows))
        return 0
    finally:
        await Tortoise.close_connections()


@contextlib.contextmanager
def _opened(path: str | None):  # type: ignore[no-untyped-def]
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    # The trail names people and addresses: readable by its owner only, like a backup.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        out: BinaryIO = file
        yield out
