from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import Role
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_audit_log')]

    initial = False

    operations = [
        ops.CreateModel(
            name='GroupRoleMapping',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='group_role_mappings', on_delete=OnDelete.CASCADE)),
                ('group', fields.CharField(max_length=256)),
                ('group_key', fields.CharField(max_length=256)),
                ('role', fields.CharEnumField(description='ADMIN: admin\nMEMBER: member\nGUEST: guest', enum_type=Role, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'group_role_mapping', 'app': 'models', 'unique_together': (('tenant', 'group_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScimGroup',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='scim_groups', on_delete=OnDelete.CASCADE)),
                ('display_name', fields.CharField(max_length=256)),
                ('name_key', fields.CharField(max_length=256)),
                ('external_id', fields.CharField(null=True, max_length=256)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'scim_group', 'app': 'models', 'unique_together': (('tenant', 'name_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GroupMembership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('models.ScimGroup', source_field='group_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name='group_memberships', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'group_membership', 'app': 'models', 'unique_together': (('group', 'user'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScimToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name='scim_tokens', on_delete=OnDelete.CASCADE)),
                ('prefix', fields.CharField(max_length=16)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'scim_token', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='external_id',
            field=fields.CharField(null=True, db_index=True, max_length=256),
        ),
        ops.AddField(
            model_name='User',
            name='saml_groups',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='User',
            name='scim_user_name',
            field=fields.CharField(null=True, max_length=256),
        ),
        ops.AddField(
            model_name='User',
            name='scim_user_name_key',
            field=fields.CharField(null=True, max_length=256),
        ),
    ]
