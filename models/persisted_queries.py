from tortoise import fields
from tortoise.models import Model


class PersistedQuery(Model):
    """Automatic persisted queries, shared by every server process."""

    sha256 = fields.CharField(max_length=64, primary_key=True)
    document = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "persisted_query"
