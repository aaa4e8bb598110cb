from tortoise import fields
from tortoise.models import Model

from models.enums import DeliveryStatus


class Webhook(Model):
    """An HTTPS endpoint that receives a tenant's (or, tenant null, every tenant's) events."""

    id = fields.UUIDField(primary_key=True)
    # Null: an instance-wide hook (superusers), sent every tenant's events and the instance's.
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name="webhooks", null=True, on_delete=fields.CASCADE,
        db_index=True,
    )  # fmt: skip
    url = fields.CharField(max_length=2000)
    events = fields.JSONField()
    description = fields.CharField(max_length=500, null=True)
    # The Standard Webhooks secret (whsec_...), encrypted at rest (domain/secrets.py).
    secret_encrypted = fields.TextField()
    enabled = fields.BooleanField(default=True)
    disabled_reason = fields.CharField(max_length=255, null=True)
    # The first failed attempt since the last success; three days of it disable the hook.
    failing_since = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook"


class WebhookDelivery(Model):
    """One event for one hook: a durable queue row, claimed and retried like the mail outbox."""

    id = fields.UUIDField(primary_key=True)
    webhook = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE, db_index=True
    )
    event = fields.CharField(max_length=64)
    # The webhook-id header: the same on every attempt (and on a redelivery) of one event.
    message_id = fields.CharField(max_length=64)
    # The JSON body, fixed when the event happened: every attempt sends the same bytes.
    payload = fields.TextField()
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    response_status = fields.IntField(null=True)
    latency_ms = fields.IntField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    next_attempt_at = fields.DatetimeField(null=True, db_index=True)
    # A worker owns the row until then; another process may take it over afterwards.
    claimed_until = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_delivery"
