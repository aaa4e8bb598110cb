"""An index on every foreign key a lookup or a delete check filters on (issue 17).

Tortoise's own AlterField rebuilds the table on SQLite and loses its unique_together
constraints on the way (tortoise-orm 1.1.9), so the fields change in the migration state only
and the indexes are created by plain SQL that both databases take. The names are the ones
Tortoise gives a `db_index=True` field, so a later AlterField finds them.
"""

from tortoise import migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from tortoise import fields

INDEXES = {
    "idx_api_token_tenant__d11f15": ("api_token", "tenant_id"),
    "idx_api_token_owner_i_afa802": ("api_token", "owner_id"),
    "idx_audit_event_tenant__4079e1": ("audit_event", "tenant_id"),
    "idx_audit_event_actor_i_770e12": ("audit_event", "actor_id"),
    "idx_invitation_invited_38e410": ("invitation", "invited_by_id"),
    "idx_mfa_challen_user_id_24bb4e": ("mfa_challenge", "user_id"),
    "idx_outbox_mail_invitat_fa55f0": ("outbox_mail", "invitation_id"),
    "idx_outbox_mail_user_id_68538c": ("outbox_mail", "user_id"),
    "idx_passkey_user_id_2b774b": ("passkey", "user_id"),
    "idx_project_owner_i_26b182": ("project", "owner_id"),
    "idx_saml_assert_tenant__fe38ac": ("saml_assertion_seen", "tenant_id"),
    "idx_saml_reques_tenant__eaf62d": ("saml_request", "tenant_id"),
    "idx_session_user_id_23ddbc": ("session", "user_id"),
}


class AlterFieldState(ops.AlterField):
    """AlterField without the table rebuild: the indexes come from RunSQL below."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        return None

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        return None


class Migration(migrations.Migration):
    dependencies = [('models', '0005_verified_domains')]

    initial = False

    operations = [
        AlterFieldState(
            model_name='ApiToken',
            name='owner',
            field=fields.ForeignKeyField('models.User', source_field='owner_id', db_index=True, db_constraint=True, to_field='id', related_name='api_tokens', on_delete=OnDelete.RESTRICT),
        ),
        AlterFieldState(
            model_name='ApiToken',
            name='tenant',
            field=fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name='api_tokens', on_delete=OnDelete.CASCADE),
        ),
        AlterFieldState(
            model_name='AuditEvent',
            name='actor',
            field=fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        AlterFieldState(
            model_name='AuditEvent',
            name='tenant',
            field=fields.ForeignKeyField('models.Tenant', source_field='tenant_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        AlterFieldState(
            model_name='Invitation',
            name='invited_by',
            field=fields.ForeignKeyField('models.User', source_field='invited_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='invitations_sent', on_delete=OnDelete.SET_NULL),
        ),
        AlterFieldState(
            model_name='MfaChallenge',
            name='user',
            field=fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name='mfa_challenges', on_delete=OnDelete.CASCADE),
        ),
        AlterFieldState(
            model_name='OutboxMail',
            name='invitation',
            field=fields.ForeignKeyField('models.Invitation', source_field='invitation_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='mails', on_delete=OnDelete.CASCADE),
        ),
        AlterFieldState(
            model_name='OutboxMail',
            name='user',
            field=fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='mails', on_delete=OnDelete.CASCADE),
        ),
        AlterFieldState(
            model_name='Passkey',
            name='user',
            field=fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name='passkeys', on_delete=OnDelete.CASCADE),
        ),
        AlterFieldState(
            model_name='Project',
            name='owner',
            field=fields.ForeignKeyField('models.User', source_field='owner_id', db_index=True, db_constraint=True, to_field='id', related_name='projects', on_delete=OnDelete.RESTRICT),
        ),
        AlterFieldState(
            model_name='SamlAssertionSeen',
            name='tenant',
            field=fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE),
        ),
        AlterFieldState(
            model_name='SamlRequest',
            name='tenant',
            field=fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE),
        ),
        AlterFieldState(
            model_name='Session',
            name='user',
            field=fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE),
        ),
        ops.RunSQL(
            [f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")'
             for name, (table, column) in INDEXES.items()],
            reverse_sql=[f'DROP INDEX IF EXISTS "{name}"' for name in INDEXES],
        ),
    ]
