"""What `tenantry check` verifies before an operator starts (or after they changed) an
instance: each check answers a `Finding`, ok or a one-line problem saying what to do.

Nothing here changes anything: the database is read, Redis is pinged, the SMTP server is
greeted (and logged in to, when credentials are set) and left without a message.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosmtplib
from cryptography import x509
from redis.asyncio import Redis
from redis.exceptions import RedisError
from tortoise import Tortoise

from config import Config, provenance
from domain.smtp_settings import SmtpServer, current_server, server_from_url
from domain.ssl_settings import tls_in_use
from models import InstanceSettings, SamlSettings, SmtpSecurity
from models.db import pending_migrations, tortoise_config
from models.sqlite import database_path

CERTIFICATE_MIN_DAYS = 14
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{self.check}: {self.detail}"


async def check_instance(config: Config) -> list[Finding]:
    """Every check, in order; those that need the database's settings only run when it
    answers with its migrations current (the others say they were skipped)."""
    database = await check_database(config)
    findings = [database]
    if config.redis_url:
        findings.append(await check_redis(config.redis_url))
    if not database.ok:
        # The SMTP server may be saved in the database; TENANTRY_SMTP_URL is checked alone.
        if config.smtp_url:
            findings.append(await check_smtp(server_from_url(config.smtp_url)))
        return findings
    await Tortoise.init(config=tortoise_config(config.database_url))
    try:
        server = await current_server()
        row = await InstanceSettings.get_or_none(id=1)
        sso_tenants = await SamlSettings.filter(enabled=True).values_list("tenant__name", flat=True)
    finally:
        await Tortoise.close_connections()
    if server is not None:
        findings.append(await check_smtp(server))
    if row is not None and tls_in_use(row):
        findings.append(check_certificate(row.ssl_certificate or ""))
    if sso_tenants:
        findings.append(check_public_url_for_sso(config.public_url, sorted(sso_tenants)))
    return findings


async def check_database(config: Config) -> Finding:
    where = provenance.without_password(config.database_url)
    missing = _missing_database_file(config)
    if missing is not None:
        return Finding("database", False, f"{missing} does not exist: run `tenantry migrate`")
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            pending = await pending_migrations(config.database_url)
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the finding
        return Finding("database", False, f"{where} does not answer: {_one_line(exc)}")
    if pending:
        return Finding(
            "database",
            False,
            f"{len(pending)} migration(s) pending ({', '.join(pending)}): run `tenantry migrate`",
        )
    return Finding("database", True, "answers; migrations current")


def _missing_database_file(config: Config) -> str | None:
    # Connecting would create an empty database: its absence is the finding.
    path = database_path(config.database_url) if config.uses_sqlite else None
    return path if path is not None and not Path(path).exists() else None


async def check_redis(url: str) -> Finding:
    client = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        where = provenance.without_password(url)
        return Finding("redis", False, f"{where} does not answer: {_one_line(exc)}")
    finally:
        await client.aclose()
    return Finding("redis", True, "answers")


async def check_smtp(server: SmtpServer) -> Finding:
    where = f"{server.host}:{server.port}"
    client = aiosmtplib.SMTP(
        hostname=server.host,
        port=server.port,
        use_tls=server.security is SmtpSecurity.TLS,
        start_tls=server.security is SmtpSecurity.STARTTLS,
        timeout=TIMEOUT_SECONDS,
    )
    try:
        await client.connect()
        if server.username:
            await client.login(server.username, server.password or "")
        await client.quit()
    except (aiosmtplib.SMTPException, OSError) as exc:
        # Error texts name the server, never the password.
        return Finding("smtp", False, f"{where} does not accept a connection: {_one_line(exc)}")
    finally:
        client.close()
    signed_in = " and the login" if server.username else ""
    return Finding("smtp", True, f"{where} accepts a connection{signed_in}")


def check_certificate(chain_pem: str, now: datetime | None = None) -> Finding:
    now = now or datetime.now(UTC)
    leaf = x509.load_pem_x509_certificates(chain_pem.encode())[0]
    not_after = leaf.not_valid_after_utc
    when = not_after.strftime("%Y-%m-%d %H:%M UTC")
    if not_after <= now:
        return Finding("ssl", False, f"the certificate expired on {when}: upload a new one")
    if not_after - now < timedelta(days=CERTIFICATE_MIN_DAYS):
        days = (not_after - now).days
        return Finding(
            "ssl",
            False,
            f"the certificate expires on {when}, in {days} day(s) "
            f"(fewer than {CERTIFICATE_MIN_DAYS}): upload a new one",
        )
    return Finding("ssl", True, f"the certificate is valid until {when}")


def check_public_url_for_sso(public_url: str, tenants: list[str]) -> Finding:
    if public_url.startswith("https://"):
        return Finding("sso", True, "TENANTRY_PUBLIC_URL is https")
    return Finding(
        "sso",
        False,
        f"SAML sign-in is enabled (tenants: {', '.join(tenants)}) but TENANTRY_PUBLIC_URL "
        f"({public_url}) is not https: identity providers post assertions to it",
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__
