from tortoise import fields
from tortoise.models import Model

from models.enums import AuthMethod, Role, UserStatus


class User(Model):
    id = fields.UUIDField(primary_key=True)
    tenant = fields.ForeignKeyField("models.Tenant", related_name="users", on_delete=fields.CASCADE)
    username = fields.CharField(max_length=64)
    username_key = fields.CharField(max_length=64)
    email = fields.CharField(max_length=254)
    # Lower-cased e-mail: addresses are unique per tenant regardless of case.
    email_key = fields.CharField(max_length=254)
    role = fields.CharEnumField(Role, max_length=16)
    auth_method = fields.CharEnumField(AuthMethod, max_length=16, default=AuthMethod.PASSWORD)
    superuser = fields.BooleanField(default=False)
    password_hash = fields.CharField(max_length=255, null=True)
    email_verified = fields.BooleanField(default=True)
    # Users who came through self sign-up keep an e-mail on the tenant's whitelist.
    signed_up = fields.BooleanField(default=False)
    # Random value behind the e-mail verification link (the link is an HMAC of it).
    verification_nonce = fields.CharField(max_length=64, null=True)
    verification_expires_at = fields.DatetimeField(null=True)
    # A password reset link: an HMAC of this nonce, like the verification link. A new request,
    # a reset and a password change clear or replace it, so older links stop working.
    password_reset_nonce = fields.CharField(max_length=64, null=True)
    password_reset_expires_at = fields.DatetimeField(null=True)
    # A new address waiting for its confirmation link; `email` changes when it is confirmed.
    pending_email = fields.CharField(max_length=254, null=True)
    email_change_nonce = fields.CharField(max_length=64, null=True)
    email_change_expires_at = fields.DatetimeField(null=True)
    saml_idp_entity_id = fields.CharField(max_length=1024, null=True)
    saml_name_id = fields.CharField(max_length=1024, null=True)
    # The IdP's identifier for the user (SCIM externalId): stored and searchable.
    external_id = fields.CharField(max_length=256, null=True, db_index=True)
    # The SCIM userName an identity provider gave the user (often an e-mail address, which no
    # username may be): null for users it did not provision, whose SCIM userName is `username`.
    scim_user_name = fields.CharField(max_length=256, null=True)
    scim_user_name_key = fields.CharField(max_length=256, null=True)
    # Set when an identity provider created the user over SCIM: only then may SCIM change the
    # identity (e-mail, username) of a user who signs in with Tenantry's password or PAM.
    scim_provisioned_at = fields.DatetimeField(null=True)
    # Group names of the user's last SAML sign-in (the tenant's groups attribute), null when
    # the tenant maps none. SCIM groups are rows of group_membership instead.
    saml_groups = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)
    # Set while the user is deactivated: no sign-in, no session, no API token works; what
    # they own stays theirs. Cleared by reactivation.
    deactivated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "user"
        unique_together = (("tenant", "username_key"), ("tenant", "email_key"))

    @property
    def status(self) -> UserStatus:
        return status_of(deactivated=self.deactivated_at is not None, verified=self.email_verified)


def status_of(*, deactivated: bool, verified: bool) -> UserStatus:
    """Deactivation wins over a pending verification: neither lets the user in."""
    if deactivated:
        return UserStatus.DEACTIVATED
    return UserStatus.ACTIVE if verified else UserStatus.PENDING_VERIFICATION


class Session(Model):
    id = fields.UUIDField(primary_key=True)
    user = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE, db_index=True
    )
    # SHA-256 of the token: the token itself is never stored.
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Written at most once a minute (domain/auth/sessions.py), not on every request.
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    client_address = fields.CharField(max_length=64, null=True)
    user_agent = fields.CharField(max_length=512, null=True)

    class Meta:
        table = "session"
