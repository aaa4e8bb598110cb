"""resetMfa: an admin removes a user's second factors when they lost them (recovery)."""

from __future__ import annotations

import uuid

from tortoise.transactions import in_transaction

from domain import audit
from domain.auth.factors import remove_every_factor
from domain.errors import Forbidden, require
from domain.users import access_user_by_id
from models import User
from permissions.rules import Actor, Op, may_manage_user


async def reset_mfa(actor: Actor, user_id: str | uuid.UUID) -> User:
    """Admins within their tenant, never on superusers; superusers anyone. The user then signs
    in with the password alone, or enrolls again where the tenant requires a factor."""
    require(actor, Op.RESET_MFA)
    user = await access_user_by_id(actor, user_id, Op.RESET_MFA)
    if not may_manage_user(
        actor,
        Op.RESET_MFA,
        tenant_id=user.tenant_id,  # type: ignore[attr-defined]
        target_superuser=user.superuser,
    ):
        raise Forbidden()
    async with in_transaction() as connection:
        removed = await remove_every_factor(user.id, connection)
        await audit.record(
            actor, "user.mfa_reset", tenant_id=user.tenant_id,  # type: ignore[attr-defined]
            target_type="user", target_id=user.id, changes={"factorsRemoved": removed},
        )  # fmt: skip
    return user
