"""API tokens: created by members and admins for integrations, shown once, revocable.

Authenticating with a token lives in domain/auth/api_tokens.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from domain import audit
from domain.auth.api_tokens import API_TOKEN_PREFIX
from domain.errors import ValidationFailed, require
from domain.events import access_change, publish
from domain.owned_objects import access_owned, delete_owned
from domain.projects import lock_owner, object_name
from domain.secrets import digest, new_token
from models import ApiToken
from permissions.rules import Actor, Op

# `tnt_` and 8 characters of the secret: enough to tell tokens apart, 48 bits at most of
# the 256 given away.
PREFIX_LENGTH = len(API_TOKEN_PREFIX) + 8


@dataclass(frozen=True)
class NewApiToken:
    token: ApiToken
    # The secret, returned this once; only its digest is stored.
    secret: str


# A token lasts until revoked unless given an end; an end further away than this is refused
# as a mistake (leave it out instead).
MAX_LIFETIME = timedelta(days=3660)


def expiry(value: datetime | None, field: str = "expiresAt") -> datetime | None:
    """A token's end: in the future, with a time zone, within MAX_LIFETIME; stored in UTC."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationFailed("Give the time with its time zone, e.g. ending in Z.", field)
    now = datetime.now(UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00-05:00 is past the last representable time
        raise ValidationFailed("The expiry must be within ten years.", field) from None
    if value <= now:
        raise ValidationFailed("The expiry must be in the future.", field)
    if value > now + MAX_LIFETIME:
        raise ValidationFailed(
            "The expiry must be within ten years; leave it out for a token that lasts until "
            "it is revoked.",
            field,
        )
    return value


async def create_api_token(
    actor: Actor, name: str, expires_at: datetime | None = None
) -> NewApiToken:
    require(actor, Op.CREATE_API_TOKEN)
    name = object_name(name)
    expires_at = expiry(expires_at)
    secret = new_token(API_TOKEN_PREFIX)
    async with in_transaction() as connection:
        owner = await lock_owner(connection, actor.user_id)
        tenant_id: uuid.UUID = owner.tenant_id  # type: ignore[attr-defined]
        token = await ApiToken.create(
            using_db=connection,
            tenant_id=tenant_id,
            owner_id=owner.id,
            name=name,
            prefix=secret[:PREFIX_LENGTH],
            token_hash=digest(secret),
            expires_at=expires_at,
        )
        await audit.record(
            actor,
            "api_token.created",
            tenant_id=tenant_id,
            target_type="api_token",
            target_id=token.id,
            changes={
                "name": name,
                "prefix": token.prefix,
                "owner": owner.id,
                "expiresAt": expires_at.isoformat() if expires_at else None,
            },
        )
    return NewApiToken(token=token, secret=secret)


async def access_token_by_id(actor: Actor, token_id: str | uuid.UUID, op: Op) -> ApiToken:
    return await access_owned(actor, ApiToken, token_id, op, noun="API token")


async def revoke_api_token(actor: Actor, token_id: str) -> uuid.UUID:
    """The owner, their tenant's admins, superusers anywhere. The token stops working at once."""
    token = await access_token_by_id(actor, token_id, Op.DELETE_OBJECTS)
    revoked = await delete_owned(
        actor,
        token,
        noun="API token",
        action="api_token.revoked",
        target_type="api_token",
        changes={"name": token.name, "prefix": token.prefix, "owner": token.owner_id},  # type: ignore[attr-defined]
    )
    # Its owner's subscriptions made with it end.
    await publish(access_change(token.owner_id, token.tenant_id))  # type: ignore[attr-defined]
    return revoked
