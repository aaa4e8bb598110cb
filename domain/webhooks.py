"""Webhooks: a tenant's admins (or superusers, also instance-wide hooks) register URLs that are
sent the audit events they pick, signed per the Standard Webhooks specification.

The signing secret (`whsec_` and 24 random bytes, base64) is answered once, by createWebhook
and rotateWebhookSecret, and kept encrypted under the instance's key (domain/secrets.py): the
worker needs it back to sign, so a digest would not do."""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from domain import audit, validation
from domain.audit_actions import EVENTS
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.secrets import encrypt
from domain.webhook_addresses import check_url
from domain.webhook_queue import body, queue
from models import Tenant, Webhook, WebhookDelivery
from permissions.rules import Actor, Op, allowed, may_manage_webhook

MAX_DESCRIPTION = 500


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


@dataclass(frozen=True)
class NewWebhook:
    url: str
    events: list[str]
    description: str | None = None
    tenant_id: str | None = None


@dataclass(frozen=True)
class WebhookChange:
    url: str | None = None
    events: list[str] | None = None
    description: str | None = None
    enabled: bool | None = None


@dataclass(frozen=True)
class CreatedWebhook:
    webhook: Webhook
    secret: str


def _events(events: list[str]) -> list[str]:
    if not events:
        raise ValidationFailed("Pick at least one event.", "events")
    unknown = [name for name in events if name not in EVENTS]
    if unknown:
        raise ValidationFailed(
            f"Unknown event {unknown[0][:64]!r}: see the list of events in the documentation.",
            "events",
        )
    return list(dict.fromkeys(events))


def _description(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed(f"At most {MAX_DESCRIPTION} characters.", "description")
    return text.strip()


async def _tenant(actor: Actor, op: Op, tenant_id: str | None) -> uuid.UUID | None:
    """None (instance-wide) for superusers only; a tenant in the caller's reach."""
    if tenant_id is None:
        if not may_manage_webhook(actor, op, tenant_id=None):
            raise ValidationFailed("Only superusers create instance-wide hooks.", "tenantId")
        return None
    try:
        wanted = validation.object_id(tenant_id)
    except NotFound:
        raise NotFound("No such tenant.") from None
    if not may_manage_webhook(actor, op, tenant_id=wanted) or not await Tenant.exists(id=wanted):
        raise NotFound("No such tenant.")
    return wanted


async def access_webhook(actor: Actor, webhook_id: str | uuid.UUID, op: Op) -> Webhook:
    if not allowed(actor, op):
        raise Forbidden()
    try:
        wanted = validation.object_id(webhook_id)
    except NotFound:
        raise NotFound("No such webhook.") from None
    hook = await Webhook.get_or_none(id=wanted)
    if hook is None or not may_manage_webhook(actor, op, tenant_id=hook.tenant_id):  # type: ignore[attr-defined]
        raise NotFound("No such webhook.")
    return hook


async def webhooks(actor: Actor, tenant_id: str | None = None) -> list[Webhook]:
    """Superusers without tenantId: every hook; anyone else: their tenant's (or the named)."""
    if not allowed(actor, Op.MANAGE_WEBHOOKS):
        raise Forbidden()
    if tenant_id is None:
        if may_manage_webhook(actor, Op.MANAGE_WEBHOOKS, tenant_id=None):
            return await Webhook.all().order_by("created_at", "id")
        return await Webhook.filter(tenant_id=actor.tenant_id).order_by("created_at", "id")
    try:
        wanted = await _tenant(actor, Op.MANAGE_WEBHOOKS, tenant_id)
    except NotFound:
        return []
    return await Webhook.filter(tenant_id=wanted).order_by("created_at", "id")


async def create_webhook(actor: Actor, new: NewWebhook) -> CreatedWebhook:
    if not allowed(actor, Op.WEBHOOK_SECRETS):
        raise Forbidden()
    tenant_id = await _tenant(actor, Op.WEBHOOK_SECRETS, new.tenant_id)
    events = _events(new.events)
    description = _description(new.description)
    url = await check_url(new.url)
    secret = new_secret()
    async with in_transaction():
        hook = await Webhook.create(
            tenant_id=tenant_id, url=url, events=events, description=description,
            secret_encrypted=encrypt(secret),
        )  # fmt: skip
        await audit.record(
            actor, "webhook.created", tenant_id=tenant_id, target_type="webhook",
            target_id=hook.id, changes={"url": url, "events": events},
        )  # fmt: skip
    return CreatedWebhook(hook, secret)


async def update_webhook(actor: Actor, webhook_id: str, change: WebhookChange) -> Webhook:
    hook = await access_webhook(actor, webhook_id, Op.MANAGE_WEBHOOKS)
    changes: dict[str, object] = {}
    if change.url is not None and change.url.strip() != hook.url:
        changes["url"] = await check_url(change.url)
    if change.events is not None:
        events = _events(change.events)
        if events != hook.events:
            changes["events"] = events
    if change.description is not None and _description(change.description) != hook.description:
        changes["description"] = _description(change.description)
    if change.enabled is not None and change.enabled != hook.enabled:
        changes["enabled"] = change.enabled
    if not changes:
        return hook
    columns = dict(changes)
    if change.enabled:
        # Switched on again: a fresh start, the three days of failures counted anew.
        columns.update(disabled_reason=None, failing_since=None)
    elif change.enabled is False:
        columns["disabled_reason"] = "Disabled by an administrator."
    async with in_transaction():
        if not await Webhook.filter(id=hook.id).update(**columns):
            raise NotFound("No such webhook.")
        await audit.record(
            actor, "webhook.updated", tenant_id=hook.tenant_id,  # type: ignore[attr-defined]
            target_type="webhook", target_id=hook.id, changes=changes,
        )  # fmt: skip
    return await Webhook.get(id=hook.id)


async def delete_webhook(actor: Actor, webhook_id: str) -> uuid.UUID:
    hook = await access_webhook(actor, webhook_id, Op.MANAGE_WEBHOOKS)
    async with in_transaction():
        if not await Webhook.filter(id=hook.id).delete():
            raise NotFound("No such webhook.")
        await audit.record(
            actor, "webhook.deleted", tenant_id=hook.tenant_id,  # type: ignore[attr-defined]
            target_type="webhook", target_id=hook.id, changes={"url": hook.url},
        )  # fmt: skip
    return hook.id


async def rotate_webhook_secret(actor: Actor, webhook_id: str) -> CreatedWebhook:
    hook = await access_webhook(actor, webhook_id, Op.WEBHOOK_SECRETS)
    secret = new_secret()
    async with in_transaction():
        if not await Webhook.filter(id=hook.id).update(secret_encrypted=encrypt(secret)):
            raise NotFound("No such webhook.")
        await audit.record(
            actor, "webhook.secret_rotated", tenant_id=hook.tenant_id,  # type: ignore[attr-defined]
            target_type="webhook", target_id=hook.id, changes={"secret": "new"},
        )  # fmt: skip
    return CreatedWebhook(await Webhook.get(id=hook.id), secret)


async def deliveries(actor: Actor, webhook_id: str) -> QuerySet[WebhookDelivery]:
    """The hook's deliveries; the caller pages them newest first."""
    hook = await access_webhook(actor, webhook_id, Op.MANAGE_WEBHOOKS)
    return WebhookDelivery.filter(webhook_id=hook.id)


async def redeliver(actor: Actor, delivery_id: str) -> WebhookDelivery:
    """The same event again, as a new delivery with the same webhook-id (receivers that keep
    the ids they handled see a copy), behind the hook's pending ones."""
    if not allowed(actor, Op.MANAGE_WEBHOOKS):
        raise Forbidden()
    try:
        wanted = validation.object_id(delivery_id)
    except NotFound:
        raise NotFound("No such delivery.") from None
    original = await WebhookDelivery.get_or_none(id=wanted).select_related("webhook")
    if original is None or not may_manage_webhook(
        actor,
        Op.MANAGE_WEBHOOKS,
        tenant_id=original.webhook.tenant_id,  # type: ignore[attr-defined]
    ):
        raise NotFound("No such delivery.")
    return await queue(original.webhook, original.event, original.payload, original.message_id)


async def test_webhook(actor: Actor, webhook_id: str) -> WebhookDelivery:
    """A `webhook.test` event to this hook alone, through the queue like any other."""
    hook = await access_webhook(actor, webhook_id, Op.MANAGE_WEBHOOKS)
    payload = body(
        "webhook.test", datetime.now(UTC), tenant_id=hook.tenant_id,  # type: ignore[attr-defined]
        actor_id=actor.user_id, target_type="webhook", target_id=str(hook.id),
        audit_event_id=None, changes={},
    )  # fmt: skip
    return await queue(hook, "webhook.test", payload)
