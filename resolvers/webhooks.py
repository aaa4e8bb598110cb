"""webhooks, webhookDeliveries, createWebhook, updateWebhook, deleteWebhook,
rotateWebhookSecret, testWebhook, redeliverWebhook."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.permission import PermissionExtension

from domain import webhooks
from domain.errors import NotFound as NotFoundError
from permissions import graphql as can
from resolvers.common import actor, expected_failures
from resolvers.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Before,
    First,
    Last,
    page_request,
    paginate,
)
from schema.context import Info
from schema.errors import NotFound, ValidationError
from schema.types.pagination import PageInfo
from schema.types.webhooks import (
    CreateWebhookSuccess,
    DeleteWebhookSuccess,
    RotateWebhookSecretSuccess,
    UpdateWebhookInput,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookDeliveryPayload,
    WebhookInput,
    WebhookPayload,
)

CreateWebhookResult = Annotated[
    CreateWebhookSuccess | NotFound | ValidationError,
    strawberry.union("CreateWebhookResult", description="createWebhook's answer."),
]
UpdateWebhookResult = Annotated[
    WebhookPayload | NotFound | ValidationError,
    strawberry.union("UpdateWebhookResult", description="updateWebhook's answer."),
]
DeleteWebhookResult = Annotated[
    DeleteWebhookSuccess | NotFound,
    strawberry.union("DeleteWebhookResult", description="deleteWebhook's answer."),
]
RotateWebhookSecretResult = Annotated[
    RotateWebhookSecretSuccess | NotFound,
    strawberry.union("RotateWebhookSecretResult", description="rotateWebhookSecret's answer."),
]
WebhookDeliveryResult = Annotated[
    WebhookDeliveryPayload | NotFound,
    strawberry.union(
        "WebhookDeliveryResult", description="testWebhook's and redeliverWebhook's answer."
    ),
]

WebhookId = Annotated[strawberry.ID, strawberry.argument(description="The webhook.")]


@strawberry.type
class WebhookQueries:
    @strawberry.field(
        description="Webhooks: a tenant's, or (superusers, tenantId left out) every one, "
        "instance-wide hooks included.",
        extensions=[PermissionExtension([can.ManageWebhooks()])],
    )
    async def webhooks(
        self,
        info: Info,
        tenant_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The tenant whose hooks to list. Left out: the caller's tenant "
                "(superusers: every hook)."
            ),
        ] = None,
    ) -> list[Webhook]:
        return [
            Webhook.from_model(hook) for hook in await webhooks.webhooks(actor(info), tenant_id)
        ]

    @strawberry.field(
        description="A webhook's deliveries, newest first; empty for a webhook the caller "
        "cannot see.",
        extensions=[PermissionExtension([can.ManageWebhooks()])],
    )
    async def webhook_deliveries(
        self,
        info: Info,
        webhook_id: WebhookId,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> WebhookDeliveryConnection:
        wanted = page_request(info, first=first, after=after, last=last, before=before)
        try:
            rows = await webhooks.deliveries(actor(info), webhook_id)
        except NotFoundError:
            return WebhookDeliveryConnection(
                edges=[],
                page_info=PageInfo(
                    has_next_page=False,
                    has_previous_page=False,
                    start_cursor=None,
                    end_cursor=None,
                ),  # fmt: skip
                total_count=0,
            )
        page = await paginate(rows, wanted, order_by="created_at", descending=True)
        return WebhookDeliveryConnection(
            edges=page.edges(WebhookDeliveryEdge, WebhookDelivery.from_model),
            page_info=page.page_info,
            total_count=page.total_count or 0,
        )


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Register a URL to be sent events, signed per Standard Webhooks; the "
        "signing secret is answered this once.",
        extensions=[PermissionExtension([can.WebhookSecrets()])],
    )
    @expected_failures
    async def create_webhook(
        self,
        info: Info,
        input: Annotated[WebhookInput, strawberry.argument(description="The webhook.")],
    ) -> CreateWebhookResult:
        created = await webhooks.create_webhook(
            actor(info),
            webhooks.NewWebhook(
                url=input.url,
                events=list(input.events),
                description=input.description,
                tenant_id=input.tenant_id,
            ),  # fmt: skip
        )
        return CreateWebhookSuccess(
            webhook=Webhook.from_model(created.webhook), secret=created.secret
        )

    @strawberry.mutation(
        description="Change a webhook's URL, events, description, or switch it off or on.",
        extensions=[PermissionExtension([can.ManageWebhooks()])],
    )
    @expected_failures
    async def update_webhook(
        self,
        info: Info,
        input: Annotated[UpdateWebhookInput, strawberry.argument(description="The changes.")],
    ) -> UpdateWebhookResult:
        hook = await webhooks.update_webhook(
            actor(info),
            input.id,
            webhooks.WebhookChange(
                url=input.url,
                events=list(input.events) if input.events is not None else None,
                description=input.description,
                enabled=input.enabled,
            ),
        )
        return WebhookPayload(webhook=Webhook.from_model(hook))

    @strawberry.mutation(
        description="Delete a webhook and its deliveries (pending ones are not sent).",
        extensions=[PermissionExtension([can.ManageWebhooks()])],
    )
    @expected_failures
    async def delete_webhook(self, info: Info, id: WebhookId) -> DeleteWebhookResult:
        deleted = await webhooks.delete_webhook(actor(info), id)
        return DeleteWebhookSuccess(deleted_webhook_id=strawberry.ID(str(deleted)))

    @strawberry.mutation(
        description="Replace a webhook's signing secret; the new one is answered this once.",
        extensions=[PermissionExtension([can.WebhookSecrets()])],
    )
    @expected_failures
    async def rotate_webhook_secret(self, info: Info, id: WebhookId) -> RotateWebhookSecretResult:
        rotated = await webhooks.rotate_webhook_secret(actor(info), id)
        return RotateWebhookSecretSuccess(
            webhook=Webhook.from_model(rotated.webhook), secret=rotated.secret
        )

    @strawberry.mutation(
        description="Queue a `webhook.test` event to this webhook alone.",
        extensions=[PermissionExtension([can.ManageWebhooks()])],
    )
    @expected_failures
    async def test_webhook(self, info: Info, id: WebhookId) -> WebhookDeliveryResult:
        delivery = await webhooks.test_webhook(actor(info), id)
        return WebhookDeliveryPayload(delivery=WebhookDelivery.from_model(delivery))

    @strawberry.mutation(
        description="Send a delivery's event again, as a new delivery with the same webhook-id.",
        extensions=[PermissionExtension([can.ManageWebhooks()])],
    )
    @expected_failures
    async def redeliver_webhook(
        self,
        info: Info,
        delivery_id: Annotated[
            strawberry.ID, strawberry.argument(description="The delivery to send again.")
        ],
    ) -> WebhookDeliveryResult:
        delivery = await webhooks.redeliver(actor(info), delivery_id)
        return WebhookDeliveryPayload(delivery=WebhookDelivery.from_model(delivery))
