from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_sessions_deactivation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MfaChallenge',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='mfa_challenges', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('first_step', fields.CharField(max_length=64)),
                ('enrollment_required', fields.BooleanField(default=False)),
                ('webauthn_challenge', fields.CharField(null=True, max_length=128)),
                ('attempts', fields.IntField(default=0)),
                ('used', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mfa_challenge', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Between a right password and a session: what completeLogin must be shown.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Passkey',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='passkeys', on_delete=OnDelete.CASCADE)),
                ('credential_id', fields.CharField(unique=True, max_length=1400)),
                ('public_key', fields.TextField(unique=False)),
                ('sign_count', fields.BigIntField(default=0)),
                ('transports', fields.CharField(default='', max_length=128)),
                ('name', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'passkey', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A WebAuthn credential registered as a second factor.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PasskeyRegistration',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='passkey_registration', on_delete=OnDelete.CASCADE)),
                ('challenge', fields.CharField(max_length=128)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'passkey_registration', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The challenge of a registration under way (beginPasskeyRegistration), one per user.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='recovery_codes', on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'recovery_code', 'app': 'models', 'unique_together': (('user', 'code_hash'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TotpFactor',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='totp', on_delete=OnDelete.CASCADE)),
                ('secret_encrypted', fields.TextField(unique=False)),
                ('confirmed', fields.BooleanField(default=False)),
                ('last_step', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'totp_factor', 'app': 'models', 'pk_attr': 'id', 'table_description': "A user's TOTP secret: pending from enrollTotp until confirmTotp proves a code."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Tenant',
            name='allowed_auth_methods',
            field=fields.CharField(default='password,pam,saml', max_length=64),
        ),
        ops.AddField(
            model_name='Tenant',
            name='invitation_ttl_hours',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Tenant',
            name='require_mfa',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='saml_groups_attribute',
            field=fields.CharField(null=True, max_length=256),
        ),
        ops.AddField(
            model_name='Tenant',
            name='session_idle_minutes',
            field=fields.IntField(null=True),
        ),
    ]
