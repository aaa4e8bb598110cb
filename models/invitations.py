from tortoise import fields
from tortoise.models import Model

from models.enums import AuthMethod, DomainStatus, EmailStatus, Role


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
    # Rows that predate the column are VERIFIED (the database default fills them when the column
    # is added: upgrading keeps open domains open); the ORM writes PENDING unless told otherwise.
    status = fields.CharEnumField(
        DomainStatus, max_length=16, default=DomainStatus.PENDING, db_default=DomainStatus.VERIFIED
    )
    # The value of the TXT record `_tenantry-challenge.<domain>` that proves control of the
    # domain: random, not secret (it is published in DNS). Null for domains that were open
    # before verification existed (migrated as VERIFIED).
    verification_token = fields.CharField(max_length=64, null=True)
    checked_at = fields.DatetimeField(null=True)
    verified_at = fields.DatetimeField(null=True)
    # The domain while it is VERIFIED, else null: the unique index lets one tenant at a time
    # hold a verified claim to a domain, even under concurrent verifications.
    verified_domain = fields.CharField(max_length=253, null=True, unique=True)

    class Meta:
        table = "signup_domain"
        unique_together = (("tenant", "domain"),)
