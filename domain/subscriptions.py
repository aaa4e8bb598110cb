"""What a subscription delivers: the changes in its caller's reach, the reach being that of
the matching query (`invitations`, `users`), with the caller read again for every batch of
changes that may concern them, and when nothing came for a while.

So a caller demoted mid-subscription receives only what their new role reaches (nothing at
all, and the subscription ends, once the operation is closed to them), and one whose session
or token ended, or who was deleted, is told so and stops.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from config import get_config
from domain import validation
from domain.errors import Forbidden, NotFound
from domain.events import Change, Subject, hub
from permissions.rules import Actor, Op, Scope, allowed, reaches, scope

# Reads the caller again from their credential: None once it identifies nobody.
Recheck = Callable[[], Awaitable[Actor | None]]

OPS = {Subject.INVITATION: Op.MANAGE_INVITATIONS, Subject.USER: Op.LIST_USERS}


class SignedOut(Exception):  # noqa: N818 - an outcome
    """The subscription's session or token no longer identifies anyone."""


@dataclass(frozen=True, slots=True)
class Watch:
    subject: Subject
    # Only this tenant's changes; None: every tenant the caller reaches (superusers).
    tenant_id: uuid.UUID | None
    # A superuser named a tenant ID that cannot exist: like the queries, nothing matches.
    nothing: bool = False


def watch(actor: Actor, subject: Subject, tenant_id: str | None) -> Watch:
    """`tenantId` counts for superusers only, as in the queries; without it they watch every
    tenant (the queries' pages show one tenant at a time, a feed has no pages)."""
    op = OPS[subject]
    if not allowed(actor, op):
        raise Forbidden()
    if scope(actor, op) is not Scope.ANY:
        return Watch(subject, actor.tenant_id)
    if tenant_id is None:
        return Watch(subject, None)
    try:
        return Watch(subject, validation.object_id(tenant_id))
    except NotFound:
        return Watch(subject, None, nothing=True)


def in_reach(actor: Actor, watch: Watch, change: Change) -> bool:
    if change.subject is not watch.subject or watch.nothing:
        return False
    if watch.tenant_id is not None and change.tenant_id != watch.tenant_id:
        return False
    return reaches(actor, OPS[watch.subject], tenant_id=change.tenant_id, owner_id=change.owner_id)


def _about(actor: Actor, change: Change) -> bool:
    """A change to the caller themself (role, superuser bit, deletion, credentials)."""
    return change.subject in (Subject.USER, Subject.ACCESS) and change.id == actor.user_id


async def changes_in_reach(
    actor: Actor, subject: Subject, tenant_id: str | None, recheck: Recheck
) -> AsyncIterator[tuple[Actor, Change]]:
    """Each change the caller may see, with the caller as read for it.

    Raises SignedOut or Forbidden when the caller may no longer subscribe, and
    events.FeedEnded when changes may have been lost (the client subscribes again)."""
    target = watch(actor, subject, tenant_id)
    op = OPS[subject]
    with hub.feed() as feed:
        while True:
            batch = await feed.next_batch(get_config().subscription_recheck_seconds)
            # Nothing for this caller as last read, and nothing about them: no need to read.
            # (Their reach only grows by a change about them, which is read below.)
            if batch and not any(
                _about(actor, change) or in_reach(actor, target, change) for change in batch
            ):
                continue
            fresh = await recheck()
            if fresh is None:
                raise SignedOut()
            if not allowed(fresh, op):
                raise Forbidden()
            actor = fresh
            for change in batch:
                if in_reach(actor, target, change):
                    yield actor, change
