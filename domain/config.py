"""Process configuration: `TENANTRY_*` environment variables, optionally a `tenantry.toml`."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator
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


class Config(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TENANTRY_", toml_file="tenantry.toml", extra="ignore", frozen=True
    )

    database_url: str = f"sqlite://./{VAR_DIR}/tenantry.db"
    public_url: str = "http://127.0.0.1:8000"
    # Left empty: generated once into var/secret.key (see `secret`).
    secret_key: str = Field(default="", repr=False)
    invitation_ttl_hours: int = Field(default=168, ge=1)
    verification_ttl_hours: int = Field(default=48, ge=1)
    smtp_url: str | None = Field(default=None, repr=False)
    trusted_documents: Path | None = None
    trusted_documents_adhoc: AdhocDocuments = Field(
        default=AdhocDocuments.SUPERUSERS,
        description="With trusted documents on, who may still run other documents: "
        "`superusers` (signed in with the session cookie, on the server's own origin: "
        "GraphiQL) or `none`.",
    )
    graphiql: bool = True
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Exact origins (`scheme://host[:port]`) whose pages may call the API with "
        "credentials; comma-separated or a list. `*` is refused.",
    )
    introspection: bool = True
    rate_limits: bool = True
    # Shared store for rate limits and persisted queries when several processes run.
    redis_url: str | None = None

    session_idle_minutes: int = Field(default=60 * 24 * 7, ge=1)
    session_absolute_hours: int = Field(default=24 * 30, ge=1)

    # OWASP's argon2id baseline (m=19 MiB, t=2, p=1); never lower.
    argon2_memory_kib: int = Field(default=19 * 1024, ge=19 * 1024)
    argon2_time_cost: int = Field(default=2, ge=2)
    argon2_parallelism: int = Field(default=1, ge=1)
    # One CPU fewer than the machine has: argon2 releases the GIL, so as many hashing threads
    # as CPUs would leave the event loop (every other request) waiting for a core.
    password_hash_threads: int = Field(default=max((os.cpu_count() or 1) - 1, 1), ge=1)

    pam_service: str = "tenantry"
    # A failed login answers no sooner than this: PAM's failure delay (pam_faildelay, about
    # two seconds) would otherwise tell PAM usernames from unknown ones by timing.
    login_failure_seconds: float = Field(default=2.5, ge=0)

    max_query_depth: int = Field(default=12, ge=1)
    max_aliases: int = Field(default=30, ge=1)
    max_query_tokens: int = Field(default=2000, ge=1)
    max_query_cost: int = Field(default=5000, ge=1)
    max_page_size: int = Field(default=100, ge=1)
    persisted_query_capacity: int = Field(default=10_000, ge=1)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # When set, /metrics answers only `Authorization: Bearer <this>`.
    metrics_token: str | None = Field(default=None, min_length=16, repr=False)

    mail_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_max_attempts: int = Field(default=5, ge=1)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    sqlite_checkpoint_seconds: float = Field(default=1.0, gt=0)

    log_json: bool = True

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

    @field_validator("public_url")
    @classmethod
    def _public_url_is_http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("TENANTRY_PUBLIC_URL must be an absolute http(s) URL")
        return value.rstrip("/")

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


def _is_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(_HOST_NAME.match(host.lower()))
    return True


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
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48).encode()
    # O_EXCL: two processes starting together agree on one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


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
