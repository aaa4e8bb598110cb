from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from models import Webhook as WebhookModel
from models import WebhookDelivery as WebhookDeliveryModel
from schema.context import Info
from schema.enums import DeliveryStatus
from schema.types.node import Node
from schema.types.pagination import CURSOR, EDGES, PAGE_INFO, TOTAL_COUNT, PageInfo
from schema.types.tenants import Tenant


@strawberry.type(
    name="Webhook",
    description="A URL that is sent the events it picked (the audit actions: see the "
    "webhooks page of the documentation), as signed HTTP POSTs per the Standard Webhooks "
    "specification. Its signing secret is shown once, by createWebhook and "
    "rotateWebhookSecret.",
)
class Webhook(Node):
    url: str = strawberry.field(description="Where the events are POSTed (http or https).")
    events: list[str] = strawberry.field(description="The event names the hook is sent.")
    description: str | None = strawberry.field(
        description="What the hook is for, as its creator wrote; null if not given."
    )
    enabled: bool = strawberry.field(
        description="False: no events are queued for it (switched off, or failing for three days)."
    )
    disabled_reason: str | None = strawberry.field(
        description="Why the hook was disabled, when it was; null while enabled."
    )
    created_at: datetime = strawberry.field(description="When the hook was created.")
    tenant_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, hook: WebhookModel) -> Webhook:
        return cls(
            id=strawberry.ID(str(hook.id)),
            url=hook.url,
            events=list(hook.events),
            description=hook.description,
            enabled=hook.enabled,
            disabled_reason=None if hook.enabled else hook.disabled_reason,
            created_at=hook.created_at,
            tenant_id=hook.tenant_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The tenant whose events it is sent; null for an "
                      "instance-wide hook (superusers), sent every tenant's events.")  # fmt: skip
    async def tenant(self, info: Info) -> Tenant | None:
        if self.tenant_id is None:
            return None
        return Tenant.from_model(await info.context.loaders.tenant.load(self.tenant_id))


@strawberry.type(
    name="WebhookDelivery",
    description="One event sent (or to be sent) to one webhook, with its attempts' outcome.",
)
class WebhookDelivery(Node):
    event: str = strawberry.field(description="The event's name (the body's `type`).")
    message_id: str = strawberry.field(
        description="The webhook-id header: the same across retries of one event (and on a "
        "redelivery), so receivers can drop copies."
    )
    status: DeliveryStatus = strawberry.field(description="Where the delivery stands.")
    attempts: int = strawberry.field(description="How many times it was sent so far.")
    response_status: int | None = strawberry.field(
        description="The HTTP status of the last answer; null when none came (no connection, "
        "a timeout, a refused address) or before the first attempt."
    )
    latency_ms: int | None = strawberry.field(
        description="How long the last attempt took, in milliseconds; null before the first."
    )
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed; null after a success or before the first."
    )
    created_at: datetime = strawberry.field(description="When the event was queued.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is tried next; null once SUCCEEDED or FAILED."
    )

    @classmethod
    def from_model(cls, row: WebhookDeliveryModel) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(str(row.id)),
            event=row.event,
            message_id=row.message_id,
            status=row.status,
            attempts=row.attempts,
            response_status=row.response_status,
            latency_ms=row.latency_ms,
            last_error=row.last_error,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
        )


@strawberry.type(description="A delivery in a page of deliveries, with its cursor.")
class WebhookDeliveryEdge:
    node: WebhookDelivery = strawberry.field(description="The delivery.")
    cursor: str = strawberry.field(description=CURSOR)


@strawberry.type(description="A page of a webhook's deliveries, newest first (a Relay connection).")
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge] = strawberry.field(description=EDGES)
    page_info: PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description=TOTAL_COUNT)


@strawberry.type(
    description="The webhook is created; its signing secret is in `secret`, this once."
)
class CreateWebhookSuccess:
    webhook: Webhook = strawberry.field(description="The webhook.")
    secret: str = strawberry.field(
        description="The Standard Webhooks signing secret (whsec_...), shown this once."
    )


@strawberry.type(description="The webhook as the mutation left it.")
class WebhookPayload:
    webhook: Webhook = strawberry.field(description="The webhook.")


@strawberry.type(description="The webhook signs with a new secret from now on.")
class RotateWebhookSecretSuccess:
    webhook: Webhook = strawberry.field(description="The webhook.")
    secret: str = strawberry.field(
        description="The new signing secret (whsec_...), shown this once. Deliveries already "
        "queued are signed with it too."
    )


@strawberry.type(description="The webhook is gone, with its deliveries.")
class DeleteWebhookSuccess:
    deleted_webhook_id: strawberry.ID = strawberry.field(
        description="The deleted webhook's ID (drop it from caches)."
    )


@strawberry.type(description="The delivery queued.")
class WebhookDeliveryPayload:
    delivery: WebhookDelivery = strawberry.field(description="The delivery, PENDING.")


@strawberry.input(description="A new webhook.")
class WebhookInput:
    url: str = strawberry.field(
        description="An http or https URL; its host must not resolve to a private, loopback "
        "or link-local address (unless the instance allows private ones)."
    )
    events: list[str] = strawberry.field(description="The event names to send (one at least).")
    tenant_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The tenant whose events it is sent. Null: instance-wide, sent every "
        "tenant's events (superusers only).",
    )
    description: str | None = strawberry.field(
        default=None, description="What the hook is for (at most 500 characters)."
    )


@strawberry.input(description="Changes to a webhook: fields left out stay as they are.")
class UpdateWebhookInput:
    id: strawberry.ID = strawberry.field(description="The webhook.")
    url: str | None = strawberry.field(default=None, description="A new URL (checked again).")
    events: list[str] | None = strawberry.field(default=None, description="New event names.")
    description: str | None = strawberry.field(
        default=None, description="A new description; an empty one removes it."
    )
    enabled: bool | None = strawberry.field(
        default=None,
        description="False switches it off (nothing is queued for it); true switches it on "
        "again and forgets its past failures.",
    )
