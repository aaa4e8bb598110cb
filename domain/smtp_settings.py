"""The SMTP part of the instance settings (row id = 1).

`TENANTRY_SMTP_URL` bootstraps the server until settings are saved through the API; from then
on the saved row wins. The password is write-only and stored Fernet-encrypted under a key
derived from the secret key, so a database dump alone does not give it away.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from tortoise.transactions import in_transaction

from config import get_config
from domain import audit, validation
from domain.errors import ValidationFailed, require
from domain.instance_row import ROW_ID as SETTINGS_ID
from domain.instance_row import instance_row_for_update
from domain.locks import lock_instance
from domain.secrets import decrypt, encrypt
from models import InstanceSettings, SmtpSecurity
from permissions.rules import Actor, Op

_DEFAULT_PORTS = {SmtpSecurity.NONE: 25, SmtpSecurity.STARTTLS: 587, SmtpSecurity.TLS: 465}


@dataclass(frozen=True)
class SmtpServer:
    """Everything needed to hand a message to the SMTP server (password in the clear)."""

    host: str
    port: int
    security: SmtpSecurity
    username: str | None
    password: str | None = None
    from_address: str = ""

    def __repr__(self) -> str:  # never print the password
        return f"SmtpServer(host={self.host!r}, port={self.port}, security={self.security.value})"


@dataclass(frozen=True)
class SmtpView:
    """What the API shows: never the password, only whether one is set."""

    host: str | None
    port: int | None
    security: SmtpSecurity
    username: str | None
    password_set: bool
    from_address: str | None


def server_from_url(url: str) -> SmtpServer:
    """`smtp://user:pass@host:port?security=starttls&from=a@b.example`."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("TENANTRY_SMTP_URL must look like smtp://user:pass@host:port")
    query = parse_qs(parts.query)
    default_security = SmtpSecurity.TLS if parts.scheme == "smtps" else SmtpSecurity.NONE
    security = SmtpSecurity(query.get("security", [default_security.value])[0].lower())
    username = unquote(parts.username) if parts.username else None
    from_address = query.get("from", [""])[0] or (
        username if username and "@" in username else f"tenantry@{parts.hostname}"
    )
    return SmtpServer(
        host=parts.hostname,
        port=parts.port or _DEFAULT_PORTS[security],
        security=security,
        username=username,
        password=unquote(parts.password) if parts.password else None,
        from_address=from_address,
    )


async def current_server() -> SmtpServer | None:
    """The server to send through, or None when no SMTP is configured."""
    row = await InstanceSettings.get_or_none(id=SETTINGS_ID)
    if row is not None and row.smtp_saved:
        if not row.smtp_host or not row.smtp_port:
            return None
        return SmtpServer(
            host=row.smtp_host,
            port=row.smtp_port,
            security=row.smtp_security,
            username=row.smtp_username,
            password=decrypt(row.smtp_password_encrypted) if row.smtp_password_encrypted else None,
            from_address=row.smtp_from_address or "",
        )
    url = get_config().smtp_url
    return server_from_url(url) if url else None


async def smtp_view() -> SmtpView:
    row = await InstanceSettings.get_or_none(id=SETTINGS_ID)
    if row is not None and row.smtp_saved:
        return SmtpView(
            host=row.smtp_host,
            port=row.smtp_port,
            security=row.smtp_security,
            username=row.smtp_username,
            password_set=bool(row.smtp_password_encrypted),
            from_address=row.smtp_from_address,
        )
    server = await current_server()
    if server is None:
        return SmtpView(None, None, SmtpSecurity.NONE, None, False, None)
    return SmtpView(
        server.host, server.port, server.security, server.username,
        bool(server.password), server.from_address,
    )  # fmt: skip


@dataclass(frozen=True)
class SmtpChange:
    host: str
    port: int
    security: SmtpSecurity
    username: str | None
    # None: keep the stored password; "": clear it.
    password: str | None
    from_address: str


def _validated(change: SmtpChange) -> SmtpChange:
    host = validation.plain_text(change.host, "host").strip().rstrip(".")
    if not host or len(host) > 255 or any(c.isspace() or c in "/@?#" for c in host):
        raise ValidationFailed("Give the SMTP server's host name or address.", "host")
    if not 1 <= change.port <= 65535:
        raise ValidationFailed("The port must be between 1 and 65535.", "port")
    username = validation.plain_text(change.username or "", "username").strip() or None
    if username is not None and len(username) > 255:
        raise ValidationFailed("The username is too long.", "username")
    if change.password is not None and len(change.password) > 1024:
        raise ValidationFailed("The password is too long.", "password")
    if change.password is not None:
        # NUL, CR and LF would split SMTP AUTH (PLAIN is NUL-separated; LOGIN is line-based).
        validation.plain_text(change.password, "password", invisible_ok=True)
    from_address = validation.email(change.from_address, "fromAddress")
    return SmtpChange(host, change.port, change.security, username, change.password, from_address)


async def update_smtp(actor: Actor, change: SmtpChange) -> SmtpView:
    require(actor, Op.MAIL_SETTINGS)
    change = _validated(change)
    async with in_transaction() as connection:
        await lock_instance(connection)
        row = await instance_row_for_update(connection)
        row.smtp_saved = True
        row.smtp_host = change.host
        row.smtp_port = change.port
        row.smtp_security = change.security
        row.smtp_username = change.username
        row.smtp_from_address = change.from_address
        changes: dict[str, object] = {
            "host": change.host, "port": change.port, "security": change.security,
            "username": change.username, "fromAddress": change.from_address,
        }  # fmt: skip
        if change.password == "":
            row.smtp_password_encrypted = None
            changes["passwordCleared"] = True
        elif change.password is not None:
            row.smtp_password_encrypted = encrypt(change.password)
            changes["password"] = "<set>"
        await row.save(using_db=connection)
        await audit.record(
            actor, "settings.smtp_updated", tenant_id=None,
            target_type="instance_settings", target_id=str(SETTINGS_ID), changes=changes,
        )  # fmt: skip
    return await smtp_view()
