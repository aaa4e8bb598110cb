from __future__ import annotations

from datetime import datetime

import strawberry

from domain.ssl_settings import SslView


@strawberry.type(name="SslSettings")
class SslSettings:
    enabled: bool
    certificate_subject: str | None
    certificate_not_after: datetime | None

    @classmethod
    def from_view(cls, view: SslView) -> SslSettings:
        return cls(
            enabled=view.enabled,
            certificate_subject=view.certificate_subject,
            certificate_not_after=view.certificate_not_after,
        )


@strawberry.type
class SslSettingsPayload:
    ssl: SslSettings


@strawberry.input
class SslSettingsInput:
    enabled: bool
    certificate: str | None = strawberry.field(
        default=None, description="PEM. The certificate must match the key."
    )
    private_key: str | None = None
