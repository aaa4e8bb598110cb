from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class AuditEvent(Model):
    id = fields.UUIDField(primary_key=True)
    # SET NULL: the trail outlives the tenants and users it speaks of. No index of their own:
    # the filters' indexes below are led by tenant_id and actor_id, and serve the delete
    # checks too (tests/test_foreign_key_indexes.py); likewise (at, id) serves `at`.
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    actor = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    actor_name = fields.CharField(max_length=160, null=True)
    action = fields.CharField(max_length=64)
    target_type = fields.CharField(max_length=32, null=True)
    target_id = fields.CharField(max_length=64, null=True)
    changes = fields.JSONField(null=True)
    at = fields.DatetimeField(auto_now_add=True)
    # The request the change came in (models/request_context.py): null for changes made
    # outside one (the command line, background jobs).
    client_address = fields.CharField(max_length=64, null=True)
    user_agent = fields.CharField(max_length=512, null=True)
    request_id = fields.CharField(max_length=128, null=True)

    class Meta:
        table = "audit_event"
        # One index per filter of auditLog, each ending in the log's order (at, id) so that a
        # filtered page is read from the index newest first and stops after the page: no
        # sort, no scan of the table (tests/audit/test_audit_query_plan.py, `make bench`).
        # Tenant admins always read one tenant: their filters get indexes that start with it,
        # or a filter matching few of the tenant's events would walk all of them; superusers
        # filter across tenants with the others.
        indexes = (
            Index(fields=("at", "id"), name="audit_event_at_id"),
            Index(fields=("tenant_id", "at", "id"), name="audit_event_tenant_at"),
            Index(fields=("tenant_id", "action", "at", "id"), name="audit_event_tenant_action_at"),
            Index(fields=("tenant_id", "actor_id", "at", "id"), name="audit_event_tenant_actor_at"),
            Index(
                fields=("tenant_id", "target_type", "target_id", "at", "id"),
                name="audit_event_tenant_target_at",
            ),
            Index(fields=("action", "at", "id"), name="audit_event_action_at"),
            Index(fields=("actor_id", "at", "id"), name="audit_event_actor_at"),
            Index(fields=("target_type", "target_id", "at", "id"), name="audit_event_target_at"),
        )
