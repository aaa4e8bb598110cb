from tortoise import fields
from tortoise.models import Model


class Project(Model):
    id = fields.UUIDField(primary_key=True)
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name="projects", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    name_key = fields.CharField(max_length=100)
    # RESTRICT: a user who owns objects cannot disappear under them.
    owner = fields.ForeignKeyField(
        "models.User", related_name="projects", on_delete=fields.RESTRICT, db_index=True
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "project"
        unique_together = (("tenant", "name_key"),)


class ApiToken(Model):
    id = fields.UUIDField(primary_key=True)
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name="api_tokens", on_delete=fields.CASCADE, db_index=True
    )
    name = fields.CharField(max_length=100)
    owner = fields.ForeignKeyField(
        "models.User", related_name="api_tokens", on_delete=fields.RESTRICT, db_index=True
    )
    prefix = fields.CharField(max_length=16)
    # SHA-256 of the secret: the secret itself is never stored.
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Written at most once a minute (domain/auth/api_tokens.py), not on every request.
    last_used_at = fields.DatetimeField(null=True)
    # Null: until revoked. From then on the token answers like an unknown one.
    expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
