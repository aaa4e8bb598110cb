"""Audit events record the request a change came in (client address, user agent, request ID),
and get one index per auditLog filter, each ending in the log's order (at, id) (issue 16).

The single-column indexes of tenant_id, actor_id and at are dropped: the new indexes are led
by those columns and serve the same lookups and delete checks. As in 0006, the fields change
in the migration state only (Tortoise's AlterField rebuilds the table on SQLite) and the
indexes go by plain SQL that both databases take.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

SINGLE_COLUMN_INDEXES = {
    "idx_audit_event_at_500752": "at",
    "idx_audit_event_tenant__4079e1": "tenant_id",
    "idx_audit_event_actor_i_770e12": "actor_id",
}


class AlterFieldState(ops.AlterField):
    """AlterField without the table rebuild: the indexes go by RunSQL below."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        return None

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        return None


class Migration(migrations.Migration):
    dependencies = [('models', '0006_foreign_key_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AuditEvent',
            name='client_address',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='AuditEvent',
            name='request_id',
            field=fields.CharField(null=True, max_length=128),
        ),
        ops.AddField(
            model_name='AuditEvent',
            name='user_agent',
            field=fields.CharField(null=True, max_length=512),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['at', 'id'], name='audit_event_at_id'),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['tenant_id', 'at', 'id'], name='audit_event_tenant_at'),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['tenant_id', 'action', 'at', 'id'], name='audit_event_tenant_action_at'),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['tenant_id', 'actor_id', 'at', 'id'], name='audit_event_tenant_actor_at'),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['tenant_id', 'target_type', 'target_id', 'at', 'id'], name='audit_event_tenant_target_at'),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['action', 'at', 'id'], name='audit_event_action_at'),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['actor_id', 'at', 'id'], name='audit_event_actor_at'),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['target_type', 'target_id', 'at', 'id'], name='audit_event_target_at'),
        ),
        AlterFieldState(
            model_name='AuditEvent',
            name='actor',
            field=fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        AlterFieldState(
            model_name='AuditEvent',
            name='at',
            field=fields.DatetimeField(auto_now=False, auto_now_add=True),
        ),
        AlterFieldState(
            model_name='AuditEvent',
            name='tenant',
            field=fields.ForeignKeyField('models.Tenant', source_field='tenant_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.RunSQL(
            [f'DROP INDEX IF EXISTS "{name}"' for name in SINGLE_COLUMN_INDEXES],
            reverse_sql=[f'CREATE INDEX IF NOT EXISTS "{name}" ON "audit_event" ("{column}")'
                         for name, column in SINGLE_COLUMN_INDEXES.items()],
        ),
    ]
