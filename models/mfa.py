"""Second factors: TOTP, recovery codes, passkeys, and the challenges between the two steps."""

from tortoise import fields
from tortoise.models import Model


class TotpFactor(Model):
    """A user's TOTP secret: pending from enrollTotp until confirmTotp proves a code."""

    id = fields.UUIDField(primary_key=True)
    user = fields.OneToOneField("models.User", related_name="totp", on_delete=fields.CASCADE)
    # Fernet under a key derived from the secret key (domain.secrets.encrypt).
    secret_encrypted = fields.TextField()
    confirmed = fields.BooleanField(default=False)
    # The last time step (unix time / 30) whose code was accepted: a code is never taken twice.
    last_step = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    confirmed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "totp_factor"


class RecoveryCode(Model):
    id = fields.UUIDField(primary_key=True)
    user = fields.ForeignKeyField(
        "models.User", related_name="recovery_codes", on_delete=fields.CASCADE
    )
    # HMAC-SHA256 of the code under a key derived from the secret key; deleted when used.
    code_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "recovery_code"
        unique_together = (("user", "code_hash"),)


class Passkey(Model):
    """A WebAuthn credential registered as a second factor."""

    id = fields.UUIDField(primary_key=True)
    user = fields.ForeignKeyField(
        "models.User", related_name="passkeys", on_delete=fields.CASCADE, db_index=True
    )
    # base64url of the credential ID the authenticator chose.
    credential_id = fields.CharField(max_length=1400, unique=True)
    # base64url of the COSE public key.
    public_key = fields.TextField()
    sign_count = fields.BigIntField(default=0)
    transports = fields.CharField(max_length=128, default="")
    name = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "passkey"


class PasskeyRegistration(Model):
    """The challenge of a registration under way (beginPasskeyRegistration), one per user."""

    id = fields.UUIDField(primary_key=True)
    user = fields.OneToOneField(
        "models.User", related_name="passkey_registration", on_delete=fields.CASCADE
    )
    challenge = fields.CharField(max_length=128)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "passkey_registration"


class MfaChallenge(Model):
    """Between a right password and a session: what completeLogin must be shown."""

    id = fields.UUIDField(primary_key=True)
    user = fields.ForeignKeyField(
        "models.User", related_name="mfa_challenges", on_delete=fields.CASCADE, db_index=True
    )
    # SHA-256 of the challenge token: the token itself is never stored.
    token_hash = fields.CharField(max_length=64, unique=True)
    # How the first step was passed (password, pam, invitation/password, …), for the audit.
    first_step = fields.CharField(max_length=64)
    enrollment_required = fields.BooleanField(default=False)
    # base64url of the WebAuthn challenge the sign-in options carry.
    webauthn_challenge = fields.CharField(max_length=128, null=True)
    attempts = fields.IntField(default=0)
    used = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "mfa_challenge"
