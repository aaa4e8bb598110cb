from tortoise import fields
from tortoise.models import Model


class Tenant(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=64)
    # Lower-cased name: tenant names are unique regardless of case.
    name_key = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tenant"
