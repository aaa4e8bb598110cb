from tortoise import fields
from tortoise.models import Model

# Every method, comma-separated: what a tenant allows until its admins say otherwise.
ALL_AUTH_METHODS = "password,pam,saml"


class Tenant(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=64)
    # Lower-cased name: tenant names are unique regardless of case.
    name_key = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    # The tenant's settings (TenantSettings in the API), columns of the tenant's own row: the
    # session check reads the idle limit in the same query that loads the session's user.
    require_mfa = fields.BooleanField(default=False)
    # Null: the instance's TENANTRY_INVITATION_TTL_HOURS.
    invitation_ttl_hours = fields.IntField(null=True)
    # Null: the instance's TENANTRY_SESSION_IDLE_MINUTES (never above it in any case).
    session_idle_minutes = fields.IntField(null=True)
    # AuthMethod values, comma-separated, in the enum's order.
    allowed_auth_methods = fields.CharField(max_length=64, default=ALL_AUTH_METHODS)
    saml_groups_attribute = fields.CharField(max_length=256, null=True)

    class Meta:
        table = "tenant"
