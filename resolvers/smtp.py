"""updateSmtpSettings, sendTestEmail (instanceSettings.smtp is a field of InstanceSettings)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import mail, smtp_settings
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from schema.context import Info
from schema.errors import EmailDeliveryFailed, EmailNotConfigured, ValidationError
from schema.types.settings import (
    SendTestEmailSuccess,
    SmtpSettings,
    SmtpSettingsInput,
    SmtpSettingsPayload,
)

SmtpSettingsResult = Annotated[
    SmtpSettingsPayload | ValidationError,
    strawberry.union("SmtpSettingsResult", description="updateSmtpSettings' answer."),
]
SendTestEmailResult = Annotated[
    SendTestEmailSuccess | EmailNotConfigured | EmailDeliveryFailed | ValidationError,
    strawberry.union("SendTestEmailResult", description="sendTestEmail's answer."),
]


@strawberry.type
class SmtpMutations:
    @strawberry.mutation(
        description="Set the mail server every e-mail of the instance goes through.",
        extensions=[PermissionExtension([can.MailSettings()])],
    )
    @expected_failures
    async def update_smtp_settings(
        self,
        info: Info,
        input: Annotated[SmtpSettingsInput, strawberry.argument(description="The settings.")],
    ) -> SmtpSettingsResult:
        view = await smtp_settings.update_smtp(
            actor(info),
            smtp_settings.SmtpChange(
                host=input.host,
                port=input.port,
                security=input.security,
                username=input.username,
                password=input.password,
                from_address=input.from_address,
            ),
        )
        return SmtpSettingsPayload(smtp=SmtpSettings.from_view(view))

    @strawberry.mutation(
        description="Send a test e-mail through the mail server now, and say how it went.",
        extensions=[PermissionExtension([can.InstanceSettings()])],
    )
    @expected_failures
    async def send_test_email(
        self,
        info: Info,
        to: Annotated[str, strawberry.argument(description="The address to send it to.")],
    ) -> SendTestEmailResult:
        await mail.send_test_email(actor(info), to)
        return SendTestEmailSuccess(ok=True)
