"""Process configuration: `TENANTRY_*` environment variables, optionally a `tenantry.toml`."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import secrets
import tempfile
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

VAR_DIR = Path("var")


class AdhocDocuments(StrEnum):
    """Who may still run documents outside the manifest when trusted documents are on."""

    SUPERUSERS = "superusers"  # signed in through the session cookie, from the server's own pages
    NONE = "none"


class DatabasePooler(StrEnum):
    """What stands between the processes and PostgreSQL (docs/operations.md, PgBouncer)."""

    NONE = "none"  # direct connections, or a pooler in session mode (the same to us)
    TRANSACTION = "transaction"  # PgBouncer's pool_mode = transaction, or a pooler like it


class Config(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TENANTRY_", toml_file="tenantry.toml", extra="ignore", frozen=True
    )

    database_url: str = Field(
        default=f"sqlite://./{VAR_DIR}/tenantry.db",
        description="Any Tortoise URL: `sqlite://…` (one process) or `postgres://user@host:5432/db`.",
    )
    database_pooler: DatabasePooler = Field(
        default=DatabasePooler.NONE,
        description="`transaction` when `database_url` reaches PostgreSQL through PgBouncer (or a "
        "pooler like it) in transaction pooling mode: `statement_cache_size=0` is then added to "
        "the URL (asyncpg prepares no named statement that could outlive its transaction), and "
        "the subscriptions' LISTEN connection uses `database_direct_url`.",
    )
    database_direct_url: str | None = Field(
        default=None,
        description="A PostgreSQL URL to the same database that bypasses the pooler, for the "
        "one connection per process that LISTENs for change events (subscriptions across "
        "processes). With `database_pooler = transaction` and no direct URL, subscriptions are "
        "refused with a message saying so.",
        json_schema_extra={"shown_default": "none (LISTEN on `database_url`)"},
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The URL browsers use: base of the links put in e-mails and of the SAML "
        "endpoints; `https://` makes the session cookie Secure.",
    )
    # Left empty: generated once into var/secret.key (see `secret`).
    secret_key: str = Field(
        default="",
        repr=False,
        description="Signs and derives tokens and the at-rest encryption key; every process of "
        "one instance must share it. Never logged.",
        json_schema_extra={"shown_default": "generated once into `./var/secret.key` (mode 0600)"},
    )
    invitation_ttl_hours: int = Field(default=168, ge=1, description="Invitation lifetime.")
    verification_ttl_hours: int = Field(
        default=48, ge=1, description="Lifetime of a sign-up's e-mail verification link."
    )
    audit_retention_days: int | None = Field(
        default=None,
        ge=1,
        description="Audit events older than this many days are deleted by a background job "
        "of the server (hourly, in batches); unset keeps every event.",
        json_schema_extra={"shown_default": "unset (keep every event)"},
    )
    smtp_url: str | None = Field(
        default=None,
        repr=False,
        description="Bootstrap SMTP server (`smtp://user:pass@host:port?security=starttls"
        "&from=tenantry@example.com`); settings saved through the API win.",
    )
    trusted_documents: Path | None = Field(
        default=None,
        description="Path of a trusted-documents manifest (GraphQL Code Generator's "
        "`persisted-documents.json` or Apollo's `persisted-query-manifest.json`); when set, only "
        "those documents run. Ids that are not their documents' SHA-256 (or SHA-1) stop the "
        "server at start.",
    )
    trusted_documents_adhoc: AdhocDocuments = Field(
        default=AdhocDocuments.SUPERUSERS,
        description="With trusted documents on, who may still run other documents: "
        "`superusers` (signed in with the session cookie, on the server's own origin: "
        "GraphiQL) or `none`.",
    )
    dns_resolver: str | None = Field(
        default=None,
        description="`ip:port` (`[ipv6]:port`; the port defaults to 53) of the DNS server "
        "asked for sign-up domains' `_tenantry-challenge` TXT records.",
        json_schema_extra={"shown_default": "the system's (`/etc/resolv.conf`)"},
    )
    graphiql: bool = Field(default=True, description="Serve GraphiQL on a browser's GET /graphql.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Exact origins (`scheme://host[:port]`) whose pages may call the API with "
        "credentials; comma-separated or a list. `*` is refused.",
        json_schema_extra={"shown_default": "none (no CORS headers)"},
    )
    introspection: bool = Field(
        default=True,
        description='`false` turns off introspection and the "Did you mean …" suggestions.',
    )
    rate_limits: bool = Field(default=True, description="`off` lifts every rate limit.")
    redis_url: str | None = Field(
        default=None,
        description="Shared store for rate limits and persisted queries when several processes "
        "run.",
    )

    session_idle_minutes: int = Field(
        default=60 * 24 * 7, ge=1, description="A session ends after this long unused (a week)."
    )
    session_absolute_hours: int = Field(
        default=24 * 30, ge=1, description="A session ends this long after sign-in (30 days)."
    )

    # OWASP's argon2id baseline (m=19 MiB, t=2, p=1); never lower.
    argon2_memory_kib: int = Field(
        default=19 * 1024,
        ge=19 * 1024,
        description="argon2id memory cost per hash; values below OWASP's are refused.",
    )
    argon2_time_cost: int = Field(
        default=2, ge=2, description="argon2id passes; values below OWASP's are refused."
    )
    argon2_parallelism: int = Field(default=1, ge=1, description="argon2id lanes.")
    # One CPU fewer than the machine has: argon2 releases the GIL, so as many hashing threads
    # as CPUs would leave the event loop (every other request) waiting for a core.
    password_hash_threads: int = Field(
        default=max((os.cpu_count() or 1) - 1, 1),
        ge=1,
        description="Size of the password hashing thread pool; one CPU stays free for the "
        "event loop.",
        json_schema_extra={"shown_default": "CPU count − 1 (at least 1)"},
    )

    pam_service: str = Field(
        default="tenantry",
        description="PAM service name (`other` applies when `/etc/pam.d/<name>` does not exist).",
    )
    # A failed login answers no sooner than this: PAM's failure delay (pam_faildelay, about
    # two seconds) would otherwise tell PAM usernames from unknown ones by timing.
    login_failure_seconds: float = Field(
        default=2.5,
        ge=0,
        description="A failed `login` answers no sooner than this, so PAM's own failure delay "
        "does not reveal PAM usernames.",
    )

    # What requestPasswordReset does for an address with an account (a write and a mail) takes
    # longer than for one without: every answer waits this long, so timing tells them apart
    # no more than the answer does.
    password_reset_answer_seconds: float = Field(
        default=0.5,
        ge=0,
        description="`requestPasswordReset` answers no sooner than this, whether or not the "
        "address has an account.",
    )

    max_query_depth: int = Field(default=12, ge=1, description="Deepest selection nesting.")
    max_aliases: int = Field(
        default=30, ge=1, description="Aliases per document (so aliased logins cannot multiply)."
    )
    max_query_tokens: int = Field(
        default=2000, ge=1, description="Tokens per document; the parser stops beyond."
    )
    max_query_cost: int = Field(
        default=5000,
        ge=1,
        description="Cost per operation: every field 1, a connection costs its selection times "
        "the rows it answers (see For frontend teams, Limits and cost).",
    )
    max_page_size: int = Field(default=100, ge=1, description="Largest `first` of a page.")
    persisted_query_capacity: int = Field(
        default=10_000,
        ge=1,
        description="Automatic persisted queries kept, trimmed by least recent use.",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Larger request bodies get 413 before they are read (declared or chunked).",
    )
    metrics_token: str | None = Field(
        default=None,
        min_length=16,
        repr=False,
        description="When set, `/metrics` answers only `Authorization: Bearer <token>`.",
    )

    mail_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long one SMTP delivery may take."
    )
    mail_max_attempts: int = Field(
        default=5, ge=1, description="Deliveries tried per message before it is FAILED."
    )
    outbox_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often each process's mail worker looks for due mail."
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="`true` lets webhooks target loopback and private addresses (tests, "
        "receivers on an internal network). Link-local and cloud metadata addresses "
        "(169.254.0.0/16, fe80::/10) stay refused either way.",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long one webhook delivery may take, in seconds."
    )
    webhook_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often each process's webhook worker looks for due deliveries.",
    )
    sqlite_checkpoint_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often a background thread copies SQLite's write-ahead log into the "
        "database, so no request's commit does it; every 0.05 s while the log is over 1,000 "
        "pages (writes streaming in).",
    )

    max_subscriptions_per_connection: int = Field(
        default=10,
        ge=1,
        description="Subscriptions one WebSocket connection may hold at once; one more is "
        "answered with an error.",
    )
    subscription_recheck_seconds: float = Field(
        default=60.0,
        gt=0,
        description="A quiet subscription reads its caller's session, role and superuser bit "
        "again this often (every event does so too), so it ends soon after a sign-out.",
    )

    shutdown_grace_seconds: float = Field(
        default=30.0,
        ge=0,
        description="On SIGTERM, how long `serve` lets requests in flight and the mail being "
        "sent finish before it cuts them off; it takes no new connection meanwhile.",
    )

    log_json: bool | None = Field(
        default=None,
        description="Log lines as JSON (`true`) or as coloured lines for a human reader "
        "(`false`). Unset: coloured lines when standard output is a terminal, JSON otherwise.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @model_validator(mode="after")
    def _pooled_connections_prepare_no_named_statements(self) -> Config:
        if self.database_pooler is DatabasePooler.TRANSACTION:
            if self.uses_sqlite:
                raise ValueError("TENANTRY_DATABASE_POOLER=transaction is for PostgreSQL URLs")
            # A named prepared statement lives on one server connection, which a transaction
            # pooler hands to another client after each transaction. The frozen model's one
            # write: every user of the URL (the pool, migrations, their lock) then agrees.
            object.__setattr__(
                self,
                "database_url",
                _with_default_query(self.database_url, "statement_cache_size", "0"),
            )
        return self

    @field_validator("public_url")
    @classmethod
    def _public_url_is_http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("TENANTRY_PUBLIC_URL must be an absolute http(s) URL")
        return value.rstrip("/")

    @field_validator("dns_resolver")
    @classmethod
    def _dns_resolver_is_an_address(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            dns_server(value)  # refuses a malformed value at start
            return value.strip()
        return None

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _cors_origins_are_exact(cls, value: Any) -> list[str]:
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else text.split(",")
        if not isinstance(value, list | tuple):
            raise ValueError("TENANTRY_CORS_ORIGINS is a comma-separated list of origins")
        origins = [exact_origin(str(item)) for item in value if str(item).strip()]
        return list(dict.fromkeys(origins))

    @cached_property
    def secret(self) -> bytes:
        if self.secret_key:
            return self.secret_key.encode()
        return _load_or_create_secret(VAR_DIR / "secret.key")

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def _with_default_query(url: str, name: str, value: str) -> str:
    """`url` with `name=value` in its query string, unless it sets `name` already."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == name for key, _ in query):
        return url
    return urlunsplit(parts._replace(query=urlencode([*query, (name, value)])))


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(_HOST_NAME.match(host.lower()))
    return True


def dns_server(text: str) -> tuple[str, int]:
    """`ip`, `ip:port` or `[ipv6]:port` as (ip, port)."""
    text = text.strip()
    host, port = text, "53"
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError("TENANTRY_DNS_RESOLVER is `[ipv6]:port`, with both brackets")
        port = rest.removeprefix(":") or "53"
    elif text.count(":") == 1:
        host, port = text.split(":")
    try:
        address = ipaddress.ip_address(host)
        number = int(port)
    except ValueError:
        raise ValueError("TENANTRY_DNS_RESOLVER is an IP address with an optional :port") from None
    if not 0 < number < 65536:
        raise ValueError("TENANTRY_DNS_RESOLVER's port is 1 to 65535")
    return str(address), number


def exact_origin(text: str) -> str:
    """`text` as browsers write it in the Origin header, or ValueError saying what is wrong."""
    text = text.strip()
    if "*" in text:
        raise ValueError(
            f"{text!r}: CORS origins are exact; '*' and wildcards are refused, since the listed "
            "origins may call with the user's credentials"
        )
    parts = urlsplit(text.removesuffix("/"))
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(f"{text!r}: not a valid port") from error
    if (
        parts.scheme not in _DEFAULT_PORTS
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.path
        or parts.query
        or parts.fragment
        or not _is_host(parts.hostname)
    ):
        raise ValueError(
            f"{text!r}: a CORS origin is scheme://host[:port] (http or https, an ASCII or "
            "xn-- host, no path)"
        )
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    default = port is None or port == _DEFAULT_PORTS[parts.scheme]
    return f"{parts.scheme}://{host}" if default else f"{parts.scheme}://{host}:{port}"


def _load_or_create_secret(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under a name of its own, then linked into place: a process starting at
        # the same moment finds no file or the whole key (never a half-written one), and only
        # the first link succeeds, so all of them agree on one key.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_urlsafe(48).encode())
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    key = path.read_bytes().strip()
    if not key:
        raise SecretKeyMissing(
            f"{path} is empty: restore the key, or remove the file for a new one"
        )
    return key


class SecretKeyMissing(Exception):
    """The key file is there but holds no key: never serve with an empty key."""


_active: Config | None = None


def configure(config: Config) -> Config:
    """Make `config` the one the domain functions read."""
    global _active
    _active = config
    return config


def get_config() -> Config:
    global _active
    if _active is None:
        _active = Config()
    return _active
