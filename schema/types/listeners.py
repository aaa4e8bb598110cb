from __future__ import annotations

import strawberry

from domain import listeners as domain
from schema.enums import ListenerPurpose


@strawberry.type(name="Listener", description="An address and port the instance serves on.")
class Listener:
    purpose: ListenerPurpose = strawberry.field(description="What traffic it receives.")
    address: str = strawberry.field(
        description="The IP address it binds (IPv4 or IPv6; 0.0.0.0 or :: for all)."
    )
    port: int = strawberry.field(description="The TCP port, 1 to 65535.")
    tls: bool = strawberry.field(description="Served over TLS with the instance's certificate.")

    @classmethod
    def from_domain(cls, listener: domain.Listener) -> Listener:
        return cls(
            purpose=listener.purpose, address=listener.address, port=listener.port, tls=listener.tls
        )


@strawberry.type(description="The listeners as saved.")
class ListenersPayload:
    listeners: list[Listener] = strawberry.field(description="Every listener, as saved.")


@strawberry.input(description="One listener: an address and port the instance serves on.")
class ListenerInput:
    purpose: ListenerPurpose = strawberry.field(description="What traffic it receives.")
    address: str = strawberry.field(description="The IP address to bind (IPv4 or IPv6).")
    port: int = strawberry.field(description="The TCP port, 1 to 65535.")
    tls: bool = strawberry.field(
        description="Serve over TLS: needs SSL enabled with a certificate (updateSslSettings)."
    )

    def to_domain(self) -> domain.Listener:
        return domain.Listener(
            purpose=self.purpose, address=self.address, port=self.port, tls=self.tls
        )
