"""instanceSettings. Its parts resolve through their features: SMTP (resolvers/smtp.py,
issue 3), SSL and listeners (resolvers/ssl.py, resolvers/listeners.py)."""

from __future__ import annotations

import strawberry
from strawberry.permission import PermissionExtension

from permissions import graphql as can
from schema.context import Info
from schema.types.settings import InstanceSettings


@strawberry.type
class InstanceSettingsQueries:
    @strawberry.field(
        description="The instance's settings: mail server, TLS certificate, listeners.",
        extensions=[PermissionExtension([can.InstanceSettings()])],
    )
    async def instance_settings(self, info: Info) -> InstanceSettings:
        return InstanceSettings()
