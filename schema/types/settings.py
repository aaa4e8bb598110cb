"""Instance-wide settings. SMTP lives here (issue 3); SSL and listeners are their own
features (schema/types/ssl.py, schema/types/listeners.py), reached through InstanceSettings."""

from __future__ import annotations

import strawberry

from domain import listeners as listeners_domain
from domain import ssl_settings
from domain.smtp_settings import SmtpView
from schema.context import Info
from schema.enums import SmtpSecurity
from schema.types.listeners import Listener
from schema.types.ssl import SslSettings

# ------------------------------------------------------------------ SMTP


@strawberry.type(name="SmtpSettings")
class SmtpSettings:
    host: str | None
    port: int | None
    security: SmtpSecurity
    username: str | None
    password_set: bool = strawberry.field(
        description="The password is write-only: it is never returned."
    )
    from_address: str | None

    @classmethod
    def from_view(cls, view: SmtpView) -> SmtpSettings:
        return cls(
            host=view.host,
            port=view.port,
            security=view.security,
            username=view.username,
            password_set=view.password_set,
            from_address=view.from_address,
        )


@strawberry.type
class SmtpSettingsPayload:
    smtp: SmtpSettings


@strawberry.type
class SendTestEmailSuccess:
    ok: bool


@strawberry.input
class SmtpSettingsInput:
    host: str
    port: int
    security: SmtpSecurity
    username: str | None = None
    password: str | None = strawberry.field(
        default=None, description="Left out: keep the stored password. Empty string: clear it."
    )
    from_address: str


# ------------------------------------------------------------------ the whole


@strawberry.type(name="InstanceSettings")
class InstanceSettings:
    """Each part is resolved on demand by its own feature (the field is superusers only)."""

    @strawberry.field
    async def smtp(self, info: Info) -> SmtpSettings:
        from domain.smtp_settings import smtp_view

        return SmtpSettings.from_view(await smtp_view())

    @strawberry.field
    async def ssl(self, info: Info) -> SslSettings:
        return SslSettings.from_view(await ssl_settings.ssl_settings(info.context.actor))

    @strawberry.field
    async def listeners(self, info: Info) -> list[Listener]:
        return [
            Listener.from_domain(item)
            for item in await listeners_domain.listeners(info.context.actor)
        ]
