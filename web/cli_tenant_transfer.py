"""`tenantry export-tenant --tenant NAME [--output FILE]` and `tenantry import-tenant FILE`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import Tortoise
from tortoise.exceptions import BaseORMException

from config import Config
from domain.tenant_transfer import ImportRefused, export_tenant, import_tenant
from models.db import pending_migrations, tortoise_config


async def _on_current_database(config: Config, work: Callable[[], Awaitable[int]]) -> int:
    # Neither command migrates: a file read or written by another schema would mislead.
    try:
        pending = await pending_migrations(config.database_url)
    except (OSError, BaseORMException, asyncpg.PostgresError) as exc:
        print(f"the database does not answer: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    if pending:
        print(f"{len(pending)} migration(s) pending: run `tenantry migrate` first", file=sys.stderr)
        return 1
    await Tortoise.init(config=tortoise_config(config.database_url))
    try:
        return await work()
    finally:
        await Tortoise.close_connections()


def cmd_export_tenant(config: Config, args: argparse.Namespace) -> int:
    async def work() -> int:
        try:
            document = await export_tenant(args.tenant)
        except LookupError as exc:
            print(exc.args[0], file=sys.stderr)
            return 1
        _write(document, args.output)
        return 0

    return asyncio.run(_on_current_database(config, work))


def _write(document: dict[str, Any], output: str | None) -> None:
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    # Password and token hashes: readable by the operator only, like a backup.
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"exported tenant {document['tenant']['name']!r} to {output}", file=sys.stderr)


def cmd_import_tenant(config: Config, args: argparse.Namespace) -> int:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
        document = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 1

    async def work() -> int:
        try:
            tenant = await import_tenant(document)
        except ImportRefused as exc:
            print(f"import refused: {exc}", file=sys.stderr)
            return 1
        print(f"imported tenant {tenant.name!r} ({tenant.id})")
        return 0

    return asyncio.run(_on_current_database(config, work))


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = sub.add_parser(
        "export-tenant", help="write a tenant as JSON, to move it to another instance"
    )
    export.add_argument("--tenant", required=True, help="the tenant's name")
    export.add_argument("--output", help="the file to write (mode 0600); else standard output")
    export.set_defaults(func=cmd_export_tenant)

    load = sub.add_parser(
        "import-tenant", help="load a tenant written by export-tenant; refused on a name clash"
    )
    load.add_argument("file", help="a file written by export-tenant (- for standard input)")
    load.set_defaults(func=cmd_import_tenant)
