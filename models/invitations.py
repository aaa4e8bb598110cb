from tortoise import fields
from tortoise.models import Model

from models.enums import AuthMethod, EmailStatus, Role


class Invitation(Model):
    id = fields.UUIDField(primary_key=True)
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name="invitations", on_delete=fields.CASCADE
    )
    username = fields.CharField(max_length=64)
    username_key = fields.CharField(max_length=64)
    email = fields.CharField(max_length=254)
    email_key = fields.CharField(max_length=254)
    role = fields.CharEnumField(Role, max_length=16)
    auth_method = fields.CharEnumField(AuthMethod, max_length=16)
    invited_by = fields.ForeignKeyField(
        "models.User",
        related_name="invitations_sent",
        null=True,
        on_delete=fields.SET_NULL,
        db_index=True,
    )
    # The link is an HMAC of this nonce under the secret key: a database dump alone
    # does not give a working link.
    nonce = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    email_status = fields.CharEnumField(EmailStatus, max_length=16, default=EmailStatus.PENDING)
    email_error = fields.TextField(null=True)
    last_sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invitation"
        unique_together = (("tenant", "username_key"), ("tenant", "email_key"))


class SignupDomain(Model):
    id = fields.UUIDField(primary_key=True)
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name="signup_domains", on_delete=fields.CASCADE
    )
    domain = fields.CharField(max_length=253)
    default_role = fields.CharEnumField(Role, max_length=16)
    auth_method = fields.CharEnumField(AuthMethod, max_length=16, default=AuthMethod.PASSWORD)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "signup_domain"
        unique_together = (("tenant", "domain"),)
