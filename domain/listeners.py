"""Where the instance listens: crash ingestion and user requests, saved whole or not at all."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain import audit
from domain.errors import ValidationFailed, require
from domain.instance_row import instance_row_for_update, read_instance_row
from domain.locks import lock_instance
from domain.ssl_settings import tls_in_use
from domain.validation import plain_text
from models import InstanceSettings, ListenerPurpose
from permissions.rules import Actor, Op

MIN_PORT, MAX_PORT = 1, 65535


@dataclass(frozen=True)
class Listener:
    purpose: ListenerPurpose
    # Normalised IP address text (ipaddress's compressed form).
    address: str
    port: int
    tls: bool

    def to_json(self) -> dict[str, object]:
        return {
            "purpose": self.purpose.value,
            "address": self.address,
            "port": self.port,
            "tls": self.tls,
        }

    @classmethod
    def from_json(cls, entry: dict[str, object]) -> Listener:
        return cls(
            purpose=ListenerPurpose(entry["purpose"]),
            address=str(entry["address"]),
            port=int(entry["port"]),  # type: ignore[call-overload]
            tls=bool(entry["tls"]),
        )


def stored_listeners(row: InstanceSettings) -> list[Listener]:
    return [Listener.from_json(entry) for entry in row.listeners or []]


async def listeners(actor: Actor) -> list[Listener]:
    require(actor, Op.INSTANCE_SETTINGS)
    return stored_listeners(await read_instance_row())


MAX_LISTENERS = 64


async def update_listeners(actor: Actor, wanted: Sequence[Listener]) -> list[Listener]:
    """Replace the whole list; one bad entry rejects all of them."""
    require(actor, Op.INSTANCE_SETTINGS)
    if len(wanted) > MAX_LISTENERS:
        raise ValidationFailed(f"At most {MAX_LISTENERS} listeners.", "listeners")
    checked = [_check(index, listener) for index, listener in enumerate(wanted)]
    _refuse_clashes(checked)
    async with in_transaction() as connection:
        await lock_instance(connection)
        row = await instance_row_for_update(connection)
        if not tls_in_use(row):
            for index, listener in enumerate(checked):
                if listener.tls:
                    raise ValidationFailed(
                        "TLS needs SSL enabled with a stored certificate.",
                        f"listeners[{index}].tls",
                    )
        row.listeners = [listener.to_json() for listener in checked]
        await row.save(using_db=connection)
        await audit.record(
            actor,
            "settings.listeners_updated",
            tenant_id=None,
            target_type="settings",
            target_id="listeners",
            changes={"listeners": row.listeners},
        )
    return checked


def _check(index: int, listener: Listener) -> Listener:
    field = f"listeners[{index}].address"
    # ipaddress keeps an IPv6 zone (fe80::1%zone) as given, whatever its characters.
    plain_text(listener.address, field)
    try:
        address = ipaddress.ip_address(listener.address.strip())
    except ValueError:
        raise ValidationFailed(
            "Give an IPv4 or IPv6 address such as 0.0.0.0 or ::1.", field
        ) from None
    if not MIN_PORT <= listener.port <= MAX_PORT:
        raise ValidationFailed(
            f"A port is between {MIN_PORT} and {MAX_PORT}.", f"listeners[{index}].port"
        )
    return Listener(
        purpose=listener.purpose, address=address.compressed, port=listener.port, tls=listener.tls
    )


def _refuse_clashes(checked: Sequence[Listener]) -> None:
    """Two listeners cannot bind the same port on one address (a wildcard covers its family)."""
    for index, listener in enumerate(checked):
        for earlier in checked[:index]:
            if earlier.port == listener.port and _overlap(earlier.address, listener.address):
                raise ValidationFailed(
                    f"Another listener already uses {listener.address} port {listener.port}.",
                    f"listeners[{index}].port",
                )


def _overlap(a: str, b: str) -> bool:
    first, second = ipaddress.ip_address(a), ipaddress.ip_address(b)
    if first == second:
        return True
    return first.version == second.version and (first.is_unspecified or second.is_unspecified)
