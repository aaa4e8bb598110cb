from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import DomainStatus
from tortoise import fields

# Domains open before verification existed admitted sign-ups, and upgrading must not silently
# close them: they become VERIFIED (verified_at = when they were added). Where several tenants
# listed the same domain, the oldest entry holds the verified claim (verified_domain, unique);
# the others stay VERIFIED without one, so they keep working but another tenant's entry can
# never be newly verified while one holds the claim.
GRANDFATHER = [
    "UPDATE signup_domain SET status = 'verified', verified_at = created_at",
    "UPDATE signup_domain SET verified_domain = domain WHERE NOT EXISTS ("
    "SELECT 1 FROM signup_domain AS older WHERE older.domain = signup_domain.domain"
    " AND (older.created_at < signup_domain.created_at"
    " OR (older.created_at = signup_domain.created_at AND older.id < signup_domain.id)))",
]


class Migration(migrations.Migration):
    dependencies = [('models', '0004_account_recovery')]

    initial = False

    operations = [
        ops.AddField(
            model_name='SignupDomain',
            name='checked_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='SignupDomain',
            name='status',
            field=fields.CharEnumField(default=DomainStatus.PENDING, db_default=DomainStatus.VERIFIED, description='PENDING: pending\nVERIFIED: verified\nFAILED: failed', enum_type=DomainStatus, max_length=16),
        ),
        ops.AddField(
            model_name='SignupDomain',
            name='verification_token',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='SignupDomain',
            name='verified_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='SignupDomain',
            name='verified_domain',
            field=fields.CharField(null=True, unique=True, max_length=253),
        ),
        ops.RunSQL(GRANDFATHER),
    ]
