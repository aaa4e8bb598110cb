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


@strawberry.type(
    name="SmtpSettings",
    description="The mail server every e-mail of the instance goes through (invitations, "
    "sign-up confirmations, tests).",
)
class SmtpSettings:
    host: str | None = strawberry.field(description="The SMTP server's host; null until set.")
    port: int | None = strawberry.field(description="Its TCP port; null until set.")
    security: SmtpSecurity = strawberry.field(description="How the connection is protected.")
    username: str | None = strawberry.field(
        description="The user to authenticate as; null: no authentication."
    )
    password_set: bool = strawberry.field(
        description="The password is write-only: it is never returned."
    )
    from_address: str | None = strawberry.field(
        description="The sender address of every e-mail; null until set."
    )

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


@strawberry.type(description="The SMTP settings as saved.")
class SmtpSettingsPayload:
    smtp: SmtpSettings = strawberry.field(description="The settings, as saved.")


@strawberry.type(description="The mail server accepted the test e-mail.")
class SendTestEmailSuccess:
    ok: bool = strawberry.field(description="Always true.")


@strawberry.input(description="The mail server's settings, replaced whole (but the password).")
class SmtpSettingsInput:
    host: str = strawberry.field(description="The SMTP server's host name or IP address.")
    port: int = strawberry.field(description="Its TCP port, 1 to 65535.")
    security: SmtpSecurity = strawberry.field(description="How to protect the connection.")
    username: str | None = strawberry.field(
        default=None, description="The user to authenticate as; null: no authentication."
    )
    password: str | None = strawberry.field(
        default=None, description="Left out: keep the stored password. Empty string: clear it."
    )
    from_address: str = strawberry.field(description="The sender address of every e-mail.")


# ------------------------------------------------------------------ the whole


@strawberry.type(
    name="InstanceSettings",
    description="The settings of the whole instance, kept in the database: mail server, "
    "TLS certificate, listeners.",
)
class InstanceSettings:
    """Each part is resolved on demand by its own feature (the field is superusers only)."""

    @strawberry.field(description="The mail server settings.")
    async def smtp(self, info: Info) -> SmtpSettings:
        from domain.smtp_settings import smtp_view

        return SmtpSettings.from_view(await smtp_view())

    @strawberry.field(description="The TLS certificate settings.")
    async def ssl(self, info: Info) -> SslSettings:
        return SslSettings.from_view(await ssl_settings.ssl_settings(info.context.actor))

    @strawberry.field(description="The addresses and ports the instance serves on.")
    async def listeners(self, info: Info) -> list[Listener]:
        return [
            Listener.from_domain(item)
            for item in await listeners_domain.listeners(info.context.actor)
        ]
