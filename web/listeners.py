"""Where `serve` listens: --host/--port, else the stored USER_REQUESTS listeners.

TLS uses the stored certificate and key, written for uvicorn to files only this process's
user can read (0600), removed when the process exits.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

from tortoise import Tortoise
from tortoise.exceptions import BaseORMException

from config import Config
from domain.instance_row import read_instance_row
from domain.listeners import stored_listeners
from domain.ssl_settings import TlsMaterial, tls_in_use, tls_material
from models import InstanceSettings, ListenerPurpose
from models.db import tortoise_config

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

log = logging.getLogger("tenantry.serve")


class TlsUnavailable(Exception):
    """TLS is configured but the stored key cannot be used."""


@dataclass(frozen=True)
class BindTarget:
    host: str
    port: int
    ssl: dict[str, Any] = field(default_factory=dict)

    @property
    def tls(self) -> bool:
        return bool(self.ssl)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def uvicorn_kwargs(self) -> dict[str, Any]:
        return {"host": self.host, "port": self.port, **self.ssl}


async def bind_targets(config: Config, host: str | None, port: int | None) -> list[BindTarget]:
    """For `serve`, before the app starts: reads the settings with a connection of its own."""
    return targets_from(await _stored_settings(config), host, port)


def targets_from(
    row: InstanceSettings | None, host: str | None, port: int | None
) -> list[BindTarget]:
    """--host/--port win (HTTPS there when SSL is enabled); else the stored USER_REQUESTS
    listeners (HTTPS where `tls` is set); else 127.0.0.1:8000."""
    use_tls = row is not None and tls_in_use(row)
    if host is not None or port is not None:
        tls = _tls_files(tls_material(row)) if row is not None and use_tls else {}
        return [BindTarget(host or DEFAULT_HOST, port or DEFAULT_PORT, tls)]
    wanted = [
        listener
        for listener in (stored_listeners(row) if row is not None else [])
        if listener.purpose is ListenerPurpose.USER_REQUESTS
    ]
    tls = (
        _tls_files(tls_material(row))
        if row is not None and use_tls and any(listener.tls for listener in wanted)
        else {}
    )
    targets = [
        BindTarget(listener.address, listener.port, tls if listener.tls else {})
        for listener in wanted
    ]
    return targets or [BindTarget(DEFAULT_HOST, DEFAULT_PORT)]


async def _stored_settings(config: Config) -> InstanceSettings | None:
    await Tortoise.init(config=tortoise_config(config.database_url))
    try:
        return await read_instance_row()
    except BaseORMException as exc:  # e.g. --no-migrate on a database never migrated
        log.warning("listener settings unreadable, using defaults: %s", type(exc).__name__)
        return None
    finally:
        await Tortoise.close_connections()


def _tls_files(material: TlsMaterial | None) -> dict[str, Any]:
    if material is None:
        # The secret key changed since the key was stored. Serving plain HTTP where HTTPS
        # was configured would be worse than not starting.
        raise TlsUnavailable(
            "The stored private key cannot be decrypted (was TENANTRY_SECRET_KEY changed?). "
            "Upload the certificate and key again, or start with --host/--port after "
            "disabling SSL."
        )
    return {
        "ssl_certfile": _private_file(material.certificate_chain, ".crt"),
        "ssl_keyfile": _private_file(material.private_key, ".key"),
    }


def _private_file(text: str, suffix: str) -> str:
    fd, path = tempfile.mkstemp(prefix="tenantry-", suffix=suffix)  # created 0600
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    atexit.register(_remove, path)
    return path


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
