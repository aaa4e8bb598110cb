"""Objects by ID alone, for Relay's `node(id:)` and `nodes(ids:)`: each kind is a table and
the rule that says who may see one of its rows, the rule of the fields that answer that kind
of object (a list, a user's owned objects). A row the caller may not see is answered like a
missing one.

IDs are UUIDs, unique across tables: which table holds one is found by looking in each, one
query per table for all the IDs asked at once, until the caller has seen every ID. An ID out
of the caller's reach is looked for in every table, as one that never existed: its answer
takes the same queries either way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.models import Model

from domain.auth.sessions import is_live
from domain.errors import NotFound
from domain.validation import object_id
from models import (
    ApiToken,
    AuditEvent,
    GroupRoleMapping,
    Invitation,
    Passkey,
    Project,
    ScimToken,
    Session,
    SignupDomain,
    Tenant,
    User,
    Webhook,
    WebhookDelivery,
)
from permissions.rules import (
    Actor,
    Op,
    may_manage_user,
    may_manage_webhook,
    may_see_user,
    may_view_owned_objects,
    reaches,
)


@dataclass(frozen=True, eq=False)
class Kind:
    """A table whose rows are Nodes, and who may see a row of it (pure: no I/O)."""

    model: type[Model]
    may_see: Callable[[Actor, Any], bool]
    # Relations the rule reads, fetched in the same query.
    related: tuple[str, ...] = ()


def _tenant(actor: Actor, tenant: Tenant) -> bool:
    # Everyone sees their own tenant (`me { tenant }`); superusers every one (`tenants`).
    return tenant.id == actor.tenant_id or reaches(actor, Op.TENANTS, tenant_id=tenant.id)


def _user(actor: Actor, user: User) -> bool:
    # `user(id:)`: oneself, or whom `users` lists.
    return may_see_user(actor, user_id=user.id, tenant_id=user.tenant_id)  # type: ignore[attr-defined]


def _invitation(actor: Actor, invitation: Invitation) -> bool:
    # `invitations`: admins their tenant's, members those they sent, superusers all.
    return reaches(
        actor, Op.MANAGE_INVITATIONS,
        tenant_id=invitation.tenant_id,  # type: ignore[attr-defined]
        owner_id=invitation.invited_by_id,  # type: ignore[attr-defined]
    )  # fmt: skip


def _signup_domain(actor: Actor, rule: SignupDomain) -> bool:
    # `signupDomains(tenantId:)`: admins their tenant's, superusers any tenant's.
    return reaches(actor, Op.MANAGE_SIGNUP_DOMAINS, tenant_id=rule.tenant_id)  # type: ignore[attr-defined]


def _owned(actor: Actor, row: Project | ApiToken) -> bool:
    # `User.ownedProjects`, `User.ownedTokens`: the owner, admins of their tenant, superusers.
    return may_view_owned_objects(actor, row.owner_id, row.tenant_id)  # type: ignore[attr-defined]


def _project(actor: Actor, project: Project) -> bool:
    # `projects` (the caller's tenant, for whoever may list), or an owner's `ownedProjects`.
    tenant_id = project.tenant_id  # type: ignore[attr-defined]
    return reaches(actor, Op.LIST_PROJECTS, tenant_id=tenant_id) or _owned(actor, project)


def _audit_event(actor: Actor, event: AuditEvent) -> bool:
    # `auditLog`: admins their tenant's events, superusers all (instance events included).
    return reaches(actor, Op.AUDIT_LOG, tenant_id=event.tenant_id)  # type: ignore[attr-defined]


def _session(actor: Actor, session: Session) -> bool:
    # `mySessions` (one's own) and `userSessions` (admins their tenant's non-superusers,
    # superusers anyone's): live sessions only, as those lists show.
    if not is_live(session):
        return False
    user = session.user
    if user.id == actor.user_id:
        return True
    return may_manage_user(
        actor, Op.USER_SESSIONS, tenant_id=user.tenant_id, target_superuser=user.superuser
    )  # type: ignore[attr-defined]


def _webhook(actor: Actor, hook: Webhook) -> bool:
    # `webhooks`: admins their tenant's, superusers all (instance-wide ones included).
    return may_manage_webhook(actor, Op.MANAGE_WEBHOOKS, tenant_id=hook.tenant_id)  # type: ignore[attr-defined]


def _webhook_delivery(actor: Actor, delivery: WebhookDelivery) -> bool:
    # `webhookDeliveries`: whoever sees the hook.
    return _webhook(actor, delivery.webhook)


TENANT = Kind(Tenant, _tenant)
USER = Kind(User, _user)
INVITATION = Kind(Invitation, _invitation)
SIGNUP_DOMAIN = Kind(SignupDomain, _signup_domain)
PROJECT = Kind(Project, _project)
API_TOKEN = Kind(ApiToken, _owned)
AUDIT_EVENT = Kind(AuditEvent, _audit_event)
SESSION = Kind(Session, _session, related=("user__tenant",))
# `scimTokens(tenantId:)`, `groupRoleMappings(tenantId:)`: admins their tenant's, superusers any.
SCIM_TOKEN = Kind(
    ScimToken,
    lambda actor, token: reaches(actor, Op.SCIM_TOKENS, tenant_id=token.tenant_id),
)
GROUP_ROLE_MAPPING = Kind(
    GroupRoleMapping,
    lambda actor, mapping: reaches(actor, Op.GROUP_ROLE_MAPPINGS, tenant_id=mapping.tenant_id),
)
# `myPasskeys`: one's own, nobody else's (not even a superuser's view).
WEBHOOK = Kind(Webhook, _webhook)
WEBHOOK_DELIVERY = Kind(WebhookDelivery, _webhook_delivery, related=("webhook",))
PASSKEY = Kind(Passkey, lambda actor, passkey: passkey.user_id == actor.user_id)


def parse_ids(ids: Iterable[str]) -> list[uuid.UUID | None]:
    """Each ID as a UUID, or None for a string that is no ID of ours."""
    parsed: list[uuid.UUID | None] = []
    for value in ids:
        try:
            parsed.append(object_id(value))
        except NotFound:
            parsed.append(None)
    return parsed


async def find(
    actor: Actor | None, ids: Sequence[uuid.UUID], kinds: Sequence[Kind]
) -> dict[uuid.UUID, tuple[Kind, Any]]:
    """The rows the caller may see among `ids`, with their kind: one query per kind, in the
    order of `kinds`, until the caller has seen every ID (random UUIDs: an ID names a row of
    one table at most, so `node(id:)` of a user, the first kind, costs one query, not one per
    kind). An ID the caller may not see is looked for in every table, as one that names
    nothing is: no count of queries tells the two apart."""
    found: dict[uuid.UUID, tuple[Kind, Any]] = {}
    unseen = set(ids)
    if actor is None:
        return found
    for kind in kinds:
        if not unseen:
            break
        rows = kind.model.filter(id__in=list(unseen))
        if kind.related:
            rows = rows.select_related(*kind.related)
        for row in await rows:
            if kind.may_see(actor, row):
                found[row.id] = (kind, row)
                unseen.discard(row.id)
    return found
