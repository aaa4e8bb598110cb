"""Moving projects and API tokens from one user to another, so that the first can be deleted."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain import audit, validation
from domain.api_tokens import PREFIX_LENGTH
from domain.auth.api_tokens import API_TOKEN_PREFIX
from domain.errors import Forbidden, NotFound, ValidationFailed, require
from domain.locks import lock_tenant
from domain.secrets import digest, new_token
from domain.users import access_user_by_id
from models import ApiToken, Project, Role, User
from permissions.rules import Actor, Op, may_manage_user, reaches

_RECEIVER_RULE = "The new owner must be an admin or member of the same tenant."
_SUPERUSER_TOKENS_RULE = "Only a superuser may give API tokens to a superuser."


@dataclass(frozen=True)
class Transferred:
    projects: list[Project]
    tokens: list[ApiToken]
    # Moved tokens get new secrets (token id -> secret, shown this once): the old secrets
    # stay with the previous owner, who must not keep acting as the new one.
    secrets: dict[uuid.UUID, str]


def _chosen_ids(values: Sequence[str] | None, field: str) -> set[uuid.UUID] | None:
    """None means all of them; an ID that is not one of ours cannot be owned by the source."""
    if values is None:
        return None
    chosen: set[uuid.UUID] = set()
    for value in values:
        try:
            chosen.add(validation.object_id(value))
        except NotFound:
            raise ValidationFailed("The source user does not own all of these.", field) from None
    return chosen


async def _lock_users(
    connection: BaseDBAsyncClient, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, User]:
    """Both users' rows, locked in one statement in a fixed order (no deadlock with another
    transfer in the opposite direction)."""
    rows = await (
        User.filter(id__in=list(ids)).order_by("id").select_for_update().using_db(connection)
    )
    return {row.id: row for row in rows}


async def transfer_ownership(
    actor: Actor,
    from_user_id: str,
    to_user_id: str,
    *,
    project_ids: Sequence[str] | None = None,
    token_ids: Sequence[str] | None = None,
) -> Transferred:
    """All in one transaction: everything chosen moves, or nothing does."""
    source = await access_user_by_id(actor, from_user_id, Op.TRANSFER_OWNERSHIP)
    tenant_id: uuid.UUID = source.tenant_id  # type: ignore[attr-defined]
    if not reaches(actor, Op.TRANSFER_OWNERSHIP, tenant_id=tenant_id):
        # A member naming themself: reached as "self" by access_user_by_id, not by this rule.
        raise NotFound("No such user.")
    if not may_manage_user(
        actor, Op.TRANSFER_OWNERSHIP, tenant_id=tenant_id, target_superuser=source.superuser
    ):
        # Admins act on their tenant's users but never on superusers (as deleteUser): taking a
        # superuser's integrations (their tokens, reissued) is theirs or another superuser's.
        raise Forbidden()
    try:
        receiver_id = validation.object_id(to_user_id)
    except NotFound:
        raise ValidationFailed(_RECEIVER_RULE, "toUserId") from None
    if receiver_id == source.id:
        raise ValidationFailed("The new owner must be another user.", "toUserId")
    chosen_projects = _chosen_ids(project_ids, "projectIds")
    chosen_tokens = _chosen_ids(token_ids, "tokenIds")

    async with in_transaction() as connection:
        # The same lock as deletion and role changes: a racing deletion of either user, or a
        # demotion of the receiver to guest, happens wholly before or wholly after this.
        await lock_tenant(connection, tenant_id)
        users = await _lock_users(connection, [source.id, receiver_id])
        if source.id not in users:
            raise NotFound("No such user.")
        receiver = users.get(receiver_id)
        if (
            receiver is None
            or receiver.tenant_id != tenant_id  # type: ignore[attr-defined]
            or receiver.role not in (Role.ADMIN, Role.MEMBER)
        ):
            raise ValidationFailed(_RECEIVER_RULE, "toUserId")

        projects = await _owned(Project, source.id, chosen_projects, "projectIds", connection)
        tokens = await _owned(ApiToken, source.id, chosen_tokens, "tokenIds", connection)
        if tokens:
            # Moving a token gives it a new secret, answered to the caller: a credential.
            require(actor, Op.REISSUE_API_TOKENS)
        if tokens and receiver.superuser and not actor.superuser:
            # A token acts as its owner, and its secret stays with whoever holds it now:
            # moved to a superuser, it would carry superuser rights no admin may grant.
            raise ValidationFailed(_SUPERUSER_TOKENS_RULE, "toUserId")
        if projects:
            await (
                Project.filter(id__in=[p.id for p in projects])
                .using_db(connection)
                .update(owner_id=receiver.id)
            )
        secrets: dict[uuid.UUID, str] = {}
        for token in tokens:
            secret = new_token(API_TOKEN_PREFIX)
            secrets[token.id] = secret
            token.prefix, token.token_hash = secret[:PREFIX_LENGTH], digest(secret)
            await (
                ApiToken.filter(id=token.id)
                .using_db(connection)
                .update(owner_id=receiver.id, prefix=token.prefix, token_hash=token.token_hash)
            )
        for row in (*projects, *tokens):
            row.owner_id = receiver.id  # type: ignore[attr-defined]
        await audit.record(
            actor,
            "ownership.transferred",
            tenant_id=tenant_id,
            target_type="user",
            target_id=source.id,
            changes={
                "from": source.id,
                "to": receiver.id,
                "projects": [str(p.id) for p in projects],
                "tokens": [str(t.id) for t in tokens],
            },
        )
    return Transferred(projects=projects, tokens=tokens, secrets=secrets)


async def _owned(
    model: type[Project] | type[ApiToken],
    owner_id: uuid.UUID,
    chosen: set[uuid.UUID] | None,
    field: str,
    connection: BaseDBAsyncClient,
) -> list:
    # All of the source's objects, then the choice among them: the chosen IDs come from the
    # client, and tens of thousands of them in an IN list would overflow the statement's
    # parameters (PostgreSQL takes at most 32767).
    rows = await (
        model.filter(owner_id=owner_id)
        .order_by("created_at", "id")
        .select_for_update()
        .using_db(connection)
    )
    if chosen is None:
        return list(rows)
    picked = [row for row in rows if row.id in chosen]
    if len(picked) != len(chosen):
        raise ValidationFailed("The source user does not own all of these.", field)
    return picked
