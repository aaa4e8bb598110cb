from tortoise import fields
from tortoise.models import Model

from models.enums import EmailStatus, MailKind


class OutboxMail(Model):
    """A message written in the same transaction as its cause, delivered after the commit."""

    id = fields.UUIDField(primary_key=True)
    kind = fields.CharEnumField(MailKind, max_length=16)
    to_address = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=255)
    text_body = fields.TextField()
    html_body = fields.TextField(null=True)
    invitation = fields.ForeignKeyField(
        "models.Invitation",
        related_name="mails",
        null=True,
        on_delete=fields.CASCADE,
        db_index=True,
    )
    user = fields.ForeignKeyField(
        "models.User", related_name="mails", null=True, on_delete=fields.CASCADE, db_index=True
    )
    status = fields.CharEnumField(EmailStatus, max_length=16, default=EmailStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    # A worker owns the row until then; another process may take it over afterwards.
    claimed_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_mail"
