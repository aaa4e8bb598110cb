from tortoise import fields
from tortoise.models import Model


class SamlSettings(Model):
    id = fields.UUIDField(primary_key=True)
    tenant = fields.OneToOneField(
        "models.Tenant", related_name="saml_settings", on_delete=fields.CASCADE
    )
    enabled = fields.BooleanField(default=False)
    idp_entity_id = fields.CharField(max_length=1024)
    idp_sso_url = fields.CharField(max_length=2048)
    idp_certificate = fields.TextField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "saml_settings"


class SamlRequest(Model):
    """An AuthnRequest we sent: a response must answer one of these (InResponseTo)."""

    id = fields.CharField(max_length=128, primary_key=True)
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    relay_state = fields.CharField(max_length=2048, null=True)
    # SHA-256 of the key given to the browser that asked for the login (https only): the
    # response must come back through that browser.
    browser_binding = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "saml_request"


class SamlAssertionSeen(Model):
    """Assertion IDs already consumed, kept until they expire, to refuse replays."""

    id = fields.CharField(max_length=128, primary_key=True)
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    expires_at = fields.DatetimeField()

    class Meta:
        table = "saml_assertion_seen"
