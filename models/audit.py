from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    id = fields.UUIDField(primary_key=True)
    # SET NULL: the trail outlives the tenants and users it speaks of.
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    actor = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    actor_name = fields.CharField(max_length=160, null=True)
    action = fields.CharField(max_length=64)
    target_type = fields.CharField(max_length=32, null=True)
    target_id = fields.CharField(max_length=64, null=True)
    changes = fields.JSONField(null=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_event"
