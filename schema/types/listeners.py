from __future__ import annotations

import strawberry

from domain import listeners as domain
from schema.enums import ListenerPurpose


@strawberry.type(name="Listener")
class Listener:
    purpose: ListenerPurpose
    address: str
    port: int
    tls: bool

    @classmethod
    def from_domain(cls, listener: domain.Listener) -> Listener:
        return cls(
            purpose=listener.purpose, address=listener.address, port=listener.port, tls=listener.tls
        )


@strawberry.type
class ListenersPayload:
    listeners: list[Listener]


@strawberry.input
class ListenerInput:
    purpose: ListenerPurpose
    address: str
    port: int
    tls: bool

    def to_domain(self) -> domain.Listener:
        return domain.Listener(
            purpose=self.purpose, address=self.address, port=self.port, tls=self.tls
        )
