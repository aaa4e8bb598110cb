"""`tenantry serve | migrate [--check] | backup | restore | create-superuser | export-schema |
audit-export | check | export-tenant | import-tenant`."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from pathlib import Path

import asyncpg
from pydantic import ValidationError
from tortoise import Tortoise
from tortoise.exceptions import BaseORMException

from config import Config, SecretKeyMissing, configure
from config.provenance import configuration_errors
from models.db import (
    apply_migrations,
    migrate,
    migration_lock,
    pending_migrations,
    tortoise_config,
)
from web import audit_export_cli


async def _with_database(config: Config, work):  # type: ignore[no-untyped-def]
    # `work` runs under the migration lock too: of several processes starting together on an
    # empty database, one creates the first superuser and the others see it there.
    async with migration_lock(config.database_url):
        await apply_migrations(config.database_url)
        await Tortoise.init(config=tortoise_config(config.database_url))
        try:
            return await work()
        finally:
            await Tortoise.close_connections()


def cmd_migrate(config: Config, args: argparse.Namespace) -> int:
    if args.check:
        # For deploy pipelines: says whether this release's migrations are applied, changes nothing.
        try:
            pending = asyncio.run(pending_migrations(config.database_url))
        except (OSError, BaseORMException, asyncpg.PostgresError) as exc:
            print(f"the database does not answer: {_one_line(exc)}", file=sys.stderr)
            return 2
        if pending:
            print(f"{len(pending)} migration(s) pending: {', '.join(pending)}")
            return 1
        print("no migrations pending")
        return 0
    asyncio.run(migrate(config.database_url))
    print("migrations applied")
    return 0


def cmd_backup(config: Config, args: argparse.Namespace) -> int:
    from models.backup import BackupRefused, backup

    try:
        backup(config.database_url, Path(args.output))
    except (BackupRefused, sqlite3.Error, OSError) as exc:
        print(_one_line(exc), file=sys.stderr)
        return 1
    print(f"backed up to {args.output}")
    return 0


def cmd_restore(config: Config, args: argparse.Namespace) -> int:
    from models.backup import BackupRefused, restore

    try:
        restore(config.database_url, Path(args.file))
    except (BackupRefused, sqlite3.Error, OSError) as exc:
        print(_one_line(exc), file=sys.stderr)
        return 1
    print(f"restored from {args.file}; `tenantry serve` applies any newer migrations")
    return 0


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def cmd_create_superuser(config: Config, args: argparse.Namespace) -> int:
    from domain.errors import AlreadyExists, ValidationFailed
    from domain.tenants import create_superuser

    if not args.password_stdin:
        print("give the password on standard input with --password-stdin", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\r\n")

    async def work() -> int:
        try:
            user = await create_superuser(args.tenant, args.username, args.email, password)
        except (AlreadyExists, ValidationFailed) as exc:
            print(exc.message, file=sys.stderr)
            return 1
        print(user.id)
        return 0

    return asyncio.run(_with_database(config, work))


def cmd_export_schema(config: Config, args: argparse.Namespace) -> int:
    from schema.export import export_schema

    sys.stdout.write(export_schema())
    return 0


def cmd_serve(config: Config, args: argparse.Namespace) -> int:
    from web.workers import default_count

    workers = args.workers if args.workers is not None else default_count()
    if workers < 1:
        print("--workers is 1 or more", file=sys.stderr)
        return 2

    from domain.tenants import bootstrap_instance
    from web.listeners import TlsUnavailable, bind_targets
    from web.trusted_manifest import ManifestRefused, load_manifest

    if config.trusted_documents is not None:
        # Checked before anything else starts: a manifest no client could use stops the server.
        try:
            load_manifest(config.trusted_documents)
        except ManifestRefused as exc:
            print(exc, file=sys.stderr)
            return 1
    if not args.no_migrate:
        first = asyncio.run(_with_database(config, bootstrap_instance))
        if first is not None:
            print(
                f"Created tenant 'default' with superuser '{first.username}'.\n"
                f"Its password, shown this once: {first.password}",
                flush=True,
            )
    try:
        targets = asyncio.run(bind_targets(config, args.host, args.port))
    except TlsUnavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    if workers == 1:
        from web import serving

        serving.run(config, targets)
        return 0
    from models.backup import holding_serve_lock
    from web.workers import supervise

    # Held by the parent too: a restore cannot slip in while a worker restarts.
    with holding_serve_lock(config.database_url):
        return supervise(config, targets, workers)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tenantry", description="Tenantry account management")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server (migrates first)")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--no-migrate", action="store_true")
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="serving processes sharing the listeners (default: the number of CPUs; 1 serves "
        "in this process)",
    )
    serve.set_defaults(func=cmd_serve)

    migrate_ = sub.add_parser("migrate", help="apply pending migrations")
    migrate_.add_argument(
        "--check",
        action="store_true",
        help="apply nothing; exit 1 and name them when migrations are pending, else 0",
    )
    migrate_.set_defaults(func=cmd_migrate)

    backup = sub.add_parser("backup", help="copy the SQLite database, also while serving")
    backup.add_argument("--output", required=True, help="the backup file to write (mode 0600)")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="replace the SQLite database with a backup")
    restore.add_argument("file", help="a file written by tenantry backup")
    restore.set_defaults(func=cmd_restore)

    create = sub.add_parser("create-superuser", help="create a superuser admin")
    create.add_argument("--tenant", required=True)
    create.add_argument("--username", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--password-stdin", action="store_true")
    create.set_defaults(func=cmd_create_superuser)

    sub.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(
        func=cmd_export_schema
    )
    audit_export_cli.add_parser(sub)
    _add_operations_commands(sub)
    return parser


def _add_operations_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    # In modules of their own: each command's code stays out of this file.
    from web import cli_check, cli_tenant_transfer

    cli_check.add_parser(sub)
    cli_tenant_transfer.add_parsers(sub)


def _serve_workers(argv: list[str]) -> int | None:
    """`serve`'s worker count, read before the full parser is built: building it imports
    modules that load prometheus_client, whose multiprocess mode must be chosen first."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("command", nargs="?")
    early.add_argument("--workers", type=int, default=None)
    known, _ = early.parse_known_args(argv)
    if known.command != "serve":
        return None
    from web.workers import default_count

    return known.workers if known.workers is not None else default_count()


def main(argv: list[str] | None = None) -> int:
    workers = _serve_workers(sys.argv[1:] if argv is None else argv)
    if workers is not None and workers > 1:
        from web.workers import prepare_directories

        prepare_directories()  # before anything imports prometheus_client
    args = build_parser().parse_args(argv)
    try:
        config = configure(Config())
    except ValidationError as exc:
        # One line per setting, never the value given (it may be a secret).
        for line in configuration_errors(exc):
            print(line, file=sys.stderr)
        return 1
    if args.command != "export-schema":
        try:
            config.secret  # noqa: B018 - creates var/secret.key on first use of the instance
        except SecretKeyMissing as exc:
            print(exc, file=sys.stderr)
            return 1
    return int(args.func(config, args) or 0)


if __name__ == "__main__":
    sys.exit(main())
