"""Process configuration: `TENANTRY_*` environment variables, optionally a `tenantry.toml`."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

VAR_DIR = Path("var")


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
    graphiql: bool = True
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
