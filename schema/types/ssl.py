from __future__ import annotations

from datetime import datetime

import strawberry

from domain.ssl_settings import SslView


@strawberry.type(
    name="SslSettings",
    description="The instance's TLS certificate. The private key is write-only: never returned.",
)
class SslSettings:
    enabled: bool = strawberry.field(description="TLS listeners use the certificate.")
    certificate_subject: str | None = strawberry.field(
        description="The certificate's subject (RFC 4514 text); null when none is stored."
    )
    certificate_not_after: datetime | None = strawberry.field(
        description="When the certificate expires; null when none is stored."
    )

    @classmethod
    def from_view(cls, view: SslView) -> SslSettings:
        return cls(
            enabled=view.enabled,
            certificate_subject=view.certificate_subject,
            certificate_not_after=view.certificate_not_after,
        )


@strawberry.type(description="The SSL settings as saved.")
class SslSettingsPayload:
    ssl: SslSettings = strawberry.field(description="The settings, as saved.")


@strawberry.input(
    description="Turn TLS on or off, and replace the certificate and key (given together)."
)
class SslSettingsInput:
    enabled: bool = strawberry.field(description="Use the certificate on TLS listeners.")
    certificate: str | None = strawberry.field(
        default=None, description="PEM. The certificate must match the key."
    )
    private_key: str | None = strawberry.field(
        default=None,
        description="PEM private key of the certificate; write-only. Left out: keep the "
        "stored one.",
    )
