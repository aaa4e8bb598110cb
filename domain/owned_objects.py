"""Reaching an owned object (a project, an API token) by its ID, within the caller's reach."""

from __future__ import annotations

import uuid
from typing import TypeVar

from tortoise.transactions import in_transaction

from domain import audit, validation
from domain.errors import Forbidden, NotFound
from models import ApiToken, Project
from permissions.rules import Actor, Op, reaches

Owned = TypeVar("Owned", Project, ApiToken)


async def access_owned(
    actor: Actor, model: type[Owned], object_id: str | uuid.UUID, op: Op, *, noun: str
) -> Owned:
    """The object when the operation reaches it.

    Another tenant's object is answered like a missing one; one of the caller's own tenant
    that they may see but not change (a member and a colleague's project) is Forbidden.
    """
    row = await model.get_or_none(id=validation.object_id(object_id))
    if row is None:
        raise NotFound(f"No such {noun}.")
    tenant_id: uuid.UUID = row.tenant_id  # type: ignore[attr-defined]
    if not reaches(actor, op, tenant_id=tenant_id, owner_id=row.owner_id):  # type: ignore[attr-defined]
        if tenant_id != actor.tenant_id and not actor.superuser:
            raise NotFound(f"No such {noun}.")
        raise Forbidden()
    return row


async def delete_owned(
    actor: Actor,
    row: Owned,
    *,
    noun: str,
    action: str,
    target_type: str,
    changes: dict[str, object],
) -> uuid.UUID:
    """Delete a reached object and record it; NotFound when a concurrent call got there first."""
    async with in_transaction() as connection:
        if not await type(row).filter(id=row.id).using_db(connection).delete():
            raise NotFound(f"No such {noun}.")
        await audit.record(
            actor,
            action,
            tenant_id=row.tenant_id,  # type: ignore[attr-defined]
            target_type=target_type,
            target_id=row.id,
            changes=changes,
        )
    return row.id
