from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import MailKind
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_mfa_tenant_settings')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='OutboxMail',
            name='kind',
            field=fields.CharEnumField(description='INVITATION: invitation\nVERIFICATION: verification\nPASSWORD_RESET: password_reset\nEMAIL_CHANGE: email_change\nEMAIL_CHANGE_NOTICE: email_notice', enum_type=MailKind, max_length=16),
        ),
        ops.AddField(
            model_name='User',
            name='email_change_expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='email_change_nonce',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='User',
            name='password_reset_expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='password_reset_nonce',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='User',
            name='pending_email',
            field=fields.CharField(null=True, max_length=254),
        ),
    ]
