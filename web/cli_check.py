"""`tenantry check`: the effective configuration, then whether what it points at answers."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from config import Config
from config.provenance import effective_settings, without_password
from domain.instance_check import check_instance
from web import tracing


def cmd_check(config: Config, args: argparse.Namespace) -> int:
    print("configuration (value, source):")
    rows = effective_settings(config)
    width = max(len(row.name) for row in rows)
    for row in rows:
        print(f"  {row.name:<{width}}  {row.value}  [{row.source}]")
    print(f"  {'tracing':<{width}}  {_tracing()}")
    print("checks:")
    findings = asyncio.run(check_instance(config))
    for finding in findings:
        print(f"  {'ok  ' if finding.ok else 'FAIL'}  {finding.line()}")
    problems = [finding for finding in findings if not finding.ok]
    # One line per problem on standard error, for a pipeline's log.
    for problem in problems:
        print(problem.line(), file=sys.stderr)
    return 1 if problems else 0


def _tracing() -> str:
    # The endpoint only: OTEL_EXPORTER_OTLP_HEADERS may hold a collector's API key.
    if not tracing.configured():
        return "off (OTEL_EXPORTER_OTLP_ENDPOINT not set)"
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT", ""
    )
    return f"on, OTLP/HTTP to {without_password(endpoint)}  [environment]"


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    check = sub.add_parser(
        "check",
        help="print the effective configuration and check the database, Redis, SMTP, the "
        "certificate and SSO; exit 1 with one line per problem",
    )
    check.set_defaults(func=cmd_check)
