from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

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
    ]
