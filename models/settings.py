from tortoise import fields
from tortoise.models import Model

from models.enums import SmtpSecurity


class InstanceSettings(Model):
    """The one row of instance-wide settings (id = 1)."""

    id = fields.IntField(primary_key=True)
    smtp_saved = fields.BooleanField(default=False)
    smtp_host = fields.CharField(max_length=255, null=True)
    smtp_port = fields.IntField(null=True)
    smtp_security = fields.CharEnumField(SmtpSecurity, max_length=16, default=SmtpSecurity.NONE)
    smtp_username = fields.CharField(max_length=255, null=True)
    # Fernet-encrypted under a key derived from the secret key.
    smtp_password_encrypted = fields.TextField(null=True)
    smtp_from_address = fields.CharField(max_length=254, null=True)
    ssl_enabled = fields.BooleanField(default=False)
    ssl_certificate = fields.TextField(null=True)
    ssl_private_key_encrypted = fields.TextField(null=True)
    ssl_subject = fields.CharField(max_length=1024, null=True)
    ssl_not_after = fields.DatetimeField(null=True)
    # [{"purpose": ..., "address": ..., "port": ..., "tls": ...}], saved whole.
    listeners = fields.JSONField(default=list)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "instance_settings"
