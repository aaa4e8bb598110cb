"""sendInvitations: up to 100 invitations in one request, one answer per row.

Each row goes through the single invitation's rules (domain.invitations.check_invitation, then
write_invitation under the tenant's lock), so a row is refused exactly when sendInvitation would
refuse it; a row that repeats the username or e-mail of an earlier row of the batch (in the same
tenant) is refused with AlreadyExists. The rate limit counts rows: the batch takes as many
sendInvitation attempts as it has rows, all or none (RateLimited for the whole batch, counting
none, when fewer are left).

Not atomic: every good row is written, each under its own savepoint of one transaction (a row
refused by the database undoes only itself). Atomic: nothing is written unless every row
succeeds; otherwise the failed rows answer their own error (the checks under the lock run too,
then roll back) and the good rows ValidationError NOT_SENT.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain import outbox, validation
from domain.auth.sessions import ClientInfo
from domain.errors import (
    AlreadyExists,
    DomainError,
    EmailNotConfigured,
    ValidationFailed,
    require,
)
from domain.events import ChangeKind, invitation_change, publish
from domain.invitations import (
    CheckedInvitation,
    NewInvitation,
    check_invitation,
    write_invitation,
)
from domain.locks import lock_tenant
from domain.ratelimit import Action, limiter
from domain.smtp_settings import current_server
from models import Invitation, Tenant
from permissions.rules import Actor, Op

MAX_ROWS = 100
NOT_SENT = "Not sent: another row of this atomic batch failed."


@dataclass(frozen=True)
class RowOutcome:
    """One row's answer: its invitation, or why it was not sent."""

    index: int
    invitation: Invitation | None = None
    error: DomainError | None = None


@dataclass(frozen=True)
class BatchOutcome:
    rows: list[RowOutcome]

    @property
    def sent_count(self) -> int:
        return sum(1 for row in self.rows if row.invitation is not None)


class _UndoBatch(Exception):
    """Rolls an atomic batch back once a row failed under the lock."""


async def send_invitations(
    actor: Actor, rows: Sequence[NewInvitation], *, atomic: bool, client: ClientInfo
) -> BatchOutcome:
    require(actor, Op.SEND_INVITATION)
    if not 1 <= len(rows) <= MAX_ROWS:
        raise ValidationFailed(f"Send 1 to {MAX_ROWS} invitations at a time.", "invitations")
    await limiter().hit(
        Action.SEND_INVITATION, client=client.address, account=str(actor.user_id), cost=len(rows)
    )
    checked, errors = await _check_rows(actor, rows)
    if checked and await current_server() is None:
        errors.update((index, EmailNotConfigured()) for index in checked)
        checked = {}
    written: dict[int, Invitation] = {}
    # Atomic batches too write every checked row before rolling back, so that each row that
    # would fail under the lock (a name taken meanwhile) answers its own error, not NOT_SENT.
    if checked:
        try:
            written = await _write_rows(actor, checked, errors, atomic=atomic)
        except _UndoBatch:
            written = {}
    if atomic and errors:
        unsent = [index for index in checked if index not in errors]
        errors.update((index, ValidationFailed(NOT_SENT)) for index in unsent)
    if written:
        outbox.wake()
        await publish(*(invitation_change(ChangeKind.CREATED, i) for i in written.values()))
    return BatchOutcome(
        [RowOutcome(index, written.get(index), errors.get(index)) for index in range(len(rows))]
    )


async def _check_rows(
    actor: Actor, rows: Sequence[NewInvitation]
) -> tuple[dict[int, CheckedInvitation], dict[int, DomainError]]:
    """The rows that pass the lock-free checks, and each other row's error."""
    checked: dict[int, CheckedInvitation] = {}
    errors: dict[int, DomainError] = {}
    tenants: dict[str | None, Tenant | None] = {}
    # (tenant, field, key) -> the first row that invites it.
    claimed: dict[tuple[uuid.UUID, str, str], int] = {}
    for index, new in enumerate(rows):
        try:
            row = await check_invitation(actor, new, tenants)
        except DomainError as error:
            errors[index] = error
            continue
        keys = [
            (row.tenant.id, "username", validation.key(row.username)),
            (row.tenant.id, "email", validation.key(row.email)),
        ]
        earlier = next(((key, claimed[key]) for key in keys if key in claimed), None)
        if earlier is not None:
            (_, field, _), first = earlier
            noun = "username" if field == "username" else "e-mail address"
            errors[index] = AlreadyExists(f"Row {first} of this batch invites that {noun}.", field)
            continue
        for key in keys:
            claimed[key] = index
        checked[index] = row
    return checked, errors


async def _write_rows(
    actor: Actor,
    checked: dict[int, CheckedInvitation],
    errors: dict[int, DomainError],
    *,
    atomic: bool,
) -> dict[int, Invitation]:
    written: dict[int, Invitation] = {}
    async with in_transaction() as connection:
        # Several tenants (a superuser's batch): their rows in ID order, as every transaction.
        for tenant_id in sorted({row.tenant.id for row in checked.values()}):
            await lock_tenant(connection, tenant_id)
        for index, row in checked.items():
            try:
                async with in_transaction():  # a savepoint: a refused row undoes only itself
                    written[index] = await write_invitation(connection, actor, row)
            except DomainError as error:
                errors[index] = error
        if atomic and errors:
            raise _UndoBatch()
    return written
