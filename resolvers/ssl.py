"""updateSslSettings (instanceSettings.ssl is a field of InstanceSettings)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import ssl_settings
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from schema.context import Info
from schema.errors import ValidationError
from schema.types.ssl import SslSettings, SslSettingsInput, SslSettingsPayload

SslSettingsResult = Annotated[
    SslSettingsPayload | ValidationError,
    strawberry.union("SslSettingsResult", description="updateSslSettings' answer."),
]


@strawberry.type
class SslMutations:
    @strawberry.mutation(
        description="Turn TLS on or off and replace the certificate and its key.",
        extensions=[PermissionExtension([can.InstanceSettings()])],
    )
    @expected_failures
    async def update_ssl_settings(
        self,
        info: Info,
        input: Annotated[SslSettingsInput, strawberry.argument(description="The settings.")],
    ) -> SslSettingsResult:
        view = await ssl_settings.update_ssl_settings(
            actor(info),
            ssl_settings.SslUpdate(
                enabled=input.enabled,
                certificate=input.certificate,
                private_key=input.private_key,
            ),
        )
        return SslSettingsPayload(ssl=SslSettings.from_view(view))
