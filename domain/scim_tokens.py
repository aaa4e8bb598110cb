"""SCIM bearer tokens: one opens its tenant's /scim/v2/{tenant}/ endpoint and nothing else.

The secret is shown once and stored as its SHA-256; the `scim_` prefix keeps it apart from
API tokens (`tnt_`), so the GraphQL endpoint takes it for an unknown session token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from tortoise.expressions import Q

from config import get_config
from domain import audit, validation
from domain.errors import NotFound, require
from domain.secrets import digest, new_token
from models import ScimToken, Tenant
from permissions.rules import Actor, Op, reaches

SCIM_TOKEN_PREFIX = "scim_"
_SHOWN_PREFIX = 12  # characters of the secret kept in clear to tell tokens apart
_TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedScimToken:
    token: ScimToken
    secret: str
    base_url: str


def base_url(tenant: Tenant) -> str:
    return f"{get_config().public_url.rstrip('/')}/scim/v2/{quote(tenant.name, safe='')}"


async def tenant_in_reach(actor: Actor, op: Op, tenant_id: str | uuid.UUID) -> Tenant:
    """NotFound alike for a missing tenant and another tenant's (for an admin)."""
    require(actor, op)
    tenant = await Tenant.get_or_none(id=validation.object_id(tenant_id))
    if tenant is None or not reaches(actor, op, tenant_id=tenant.id):
        raise NotFound("No such tenant.")
    return tenant


async def create_scim_token(actor: Actor, tenant_id: str) -> CreatedScimToken:
    tenant = await tenant_in_reach(actor, Op.SCIM_TOKENS, tenant_id)
    secret = new_token(SCIM_TOKEN_PREFIX)
    token = await ScimToken.create(
        tenant=tenant, prefix=secret[:_SHOWN_PREFIX], token_hash=digest(secret)
    )
    await audit.record(
        actor,
        "scim_token.created",
        tenant_id=tenant.id,
        target_type="scim_token",
        target_id=token.id,
        changes={"prefix": token.prefix},
    )
    return CreatedScimToken(token=token, secret=secret, base_url=base_url(tenant))


async def revoke_scim_token(actor: Actor, token_id: str) -> uuid.UUID:
    require(actor, Op.SCIM_TOKENS)
    token = await ScimToken.get_or_none(id=validation.object_id(token_id))
    if token is None or not reaches(actor, Op.SCIM_TOKENS, tenant_id=token.tenant_id):  # type: ignore[attr-defined]
        raise NotFound("No such SCIM token.")
    deleted = await ScimToken.filter(id=token.id).delete()
    if deleted:
        await audit.record(
            actor,
            "scim_token.revoked",
            tenant_id=token.tenant_id,  # type: ignore[attr-defined]
            target_type="scim_token",
            target_id=token.id,
            changes={"prefix": token.prefix},
        )
    return token.id


async def scim_tokens(actor: Actor, tenant_id: str) -> list[ScimToken]:
    tenant = await tenant_in_reach(actor, Op.SCIM_TOKENS, tenant_id)
    return await ScimToken.filter(tenant_id=tenant.id).order_by("created_at", "id")


async def token_for_tenant(tenant_name: str, secret: str | None) -> ScimToken | None:
    """The token, when `secret` is a live SCIM token of the tenant named; None otherwise
    (unknown tenant, unknown token and another tenant's token answer alike)."""
    if not secret or not secret.startswith(SCIM_TOKEN_PREFIX):
        return None
    token = await ScimToken.filter(token_hash=digest(secret)).select_related("tenant").first()
    if token is None or validation.key(token.tenant.name) != validation.key(tenant_name):
        return None
    now = datetime.now(UTC)
    if token.last_used_at is None or now - token.last_used_at >= _TOUCH_INTERVAL:
        # Conditional, so that concurrent requests write at most once a minute between them.
        await ScimToken.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - _TOUCH_INTERVAL),
            id=token.id,
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
