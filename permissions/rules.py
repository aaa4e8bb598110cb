"""The role and superuser policy, as one table of pure functions. No I/O here.

Each operation maps every kind of caller to a `Scope`: how far the operation reaches for
that caller. Object rules (the target's tenant, owner, superuser bit) are applied by the
`may_*` functions below; callers that pass an ID from another tenant are answered as if the
object did not exist, by the domain's `access_*` functions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum, auto

from models.enums import Role


class Scope(Enum):
    NONE = auto()
    SELF = auto()  # the caller's own user
    OWN = auto()  # objects the caller owns (or sent), in the caller's tenant
    TENANT = auto()  # anything in the caller's tenant
    ANY = auto()  # anything in any tenant


class Op(Enum):
    VIEW_SELF = auto()  # me, changePassword, updateUser of self (email)
    LIST_USERS = auto()  # users, user(id) of others
    VIEW_OWNED_OBJECTS = auto()  # User.ownedProjects, User.ownedTokens
    CHANGE_ROLE = auto()  # updateUser role/email of others
    SET_SUPERUSER = auto()
    DELETE_USER = auto()
    TRANSFER_OWNERSHIP = auto()
    SEND_INVITATION = auto()
    MANAGE_INVITATIONS = auto()  # invitations, resend, delete, Invitation.link
    MANAGE_SIGNUP_DOMAINS = auto()
    CREATE_OBJECTS = auto()  # createProject, createApiToken
    LIST_PROJECTS = auto()
    DELETE_OBJECTS = auto()  # deleteProject, revokeApiToken
    AUDIT_LOG = auto()
    INSTANCE_SETTINGS = auto()  # instanceSettings, SMTP, SSL, listeners, sendTestEmail
    TENANTS = auto()  # tenants, createTenant, deleteTenant
    SAML_SETTINGS = auto()


N, S, O, T, A = Scope.NONE, Scope.SELF, Scope.OWN, Scope.TENANT, Scope.ANY

# The contract's "who may do what" table, column by column:
#                                guest member admin  superuser (any role)
POLICY: dict[Op, tuple[Scope, Scope, Scope, Scope]] = {
    Op.VIEW_SELF:               (S,    S,     S,     S),
    Op.LIST_USERS:              (N,    T,     T,     A),
    Op.VIEW_OWNED_OBJECTS:      (S,    S,     T,     A),
    Op.CHANGE_ROLE:             (N,    N,     T,     A),
    Op.SET_SUPERUSER:           (N,    N,     N,     A),
    Op.DELETE_USER:             (N,    N,     T,     A),
    Op.TRANSFER_OWNERSHIP:      (N,    N,     T,     A),
    Op.SEND_INVITATION:         (N,    T,     T,     A),
    Op.MANAGE_INVITATIONS:      (N,    O,     T,     A),
    Op.MANAGE_SIGNUP_DOMAINS:   (N,    N,     T,     A),
    Op.CREATE_OBJECTS:          (N,    S,     S,     S),
    Op.LIST_PROJECTS:           (N,    T,     T,     T),
    Op.DELETE_OBJECTS:          (N,    O,     T,     A),
    Op.AUDIT_LOG:               (N,    N,     T,     A),
    Op.INSTANCE_SETTINGS:       (N,    N,     N,     A),
    Op.TENANTS:                 (N,    N,     N,     A),
    Op.SAML_SETTINGS:           (N,    N,     N,     A),
}  # fmt: skip

# The policy in words, for docs/reference/permissions.md (generated from this module: a test
# fails when an operation, a column or a cell has no words here).
COLUMNS = ("guest", "member", "admin", "superuser (any role)")
IN_WORDS: dict[Enum, str] = {
    Scope.NONE: "—",
    Scope.SELF: "self",
    Scope.OWN: "own (owned or sent by them)",
    Scope.TENANT: "their tenant",
    Scope.ANY: "every tenant",
}
OP_DESCRIPTIONS: dict[Op, str] = {
    Op.VIEW_SELF: "See oneself; change one's own password and e-mail",
    Op.LIST_USERS: "List and look up the users of a tenant",
    Op.VIEW_OWNED_OBJECTS: "See which projects and API tokens a user owns",
    Op.CHANGE_ROLE: "Change another user's role or e-mail",
    Op.SET_SUPERUSER: "Grant or revoke the superuser bit",
    Op.DELETE_USER: "Delete a user",
    Op.TRANSFER_OWNERSHIP: "Move a user's projects and API tokens to another user",
    Op.SEND_INVITATION: "Invite someone by e-mail",
    Op.MANAGE_INVITATIONS: "List, resend and delete invitations; see an invitation's link",
    Op.MANAGE_SIGNUP_DOMAINS: "Open and close e-mail domains for self sign-up",
    Op.CREATE_OBJECTS: "Create projects and API tokens, owned by the caller",
    Op.LIST_PROJECTS: "List projects",
    Op.DELETE_OBJECTS: "Delete projects, revoke API tokens",
    Op.AUDIT_LOG: "Read the audit log",
    Op.INSTANCE_SETTINGS: "Instance settings: SMTP, SSL, listeners, test e-mail",
    Op.TENANTS: "List, create and delete tenants",
    Op.SAML_SETTINGS: "A tenant's SAML single sign-on settings",
}

_COLUMN = {Role.GUEST: 0, Role.MEMBER: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller, as the policy sees it: read fresh from the database on every request."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: Role
    superuser: bool
    username: str = ""
    # Signed in with an API token rather than a session: such a caller may use the API as
    # its owner, but not mint further credentials (a leaked token stays revocable).
    via_api_token: bool = False


def scope(actor: Actor | None, op: Op) -> Scope:
    if actor is None:
        return Scope.NONE
    row = POLICY[op]
    return row[3] if actor.superuser else row[_COLUMN[actor.role]]


def allowed(actor: Actor | None, op: Op) -> bool:
    """May the caller use the operation at all (before looking at any object)?"""
    return scope(actor, op) is not Scope.NONE


def reaches(
    actor: Actor | None,
    op: Op,
    *,
    tenant_id: uuid.UUID,
    owner_id: uuid.UUID | None = None,
) -> bool:
    """May the caller apply the operation to an object of that tenant and owner?"""
    if actor is None:
        return False
    match scope(actor, op):
        case Scope.ANY:
            return True
        case Scope.TENANT:
            return tenant_id == actor.tenant_id
        case Scope.OWN | Scope.SELF:
            return tenant_id == actor.tenant_id and owner_id == actor.user_id
        case _:
            return False


def may_view_owned_objects(actor: Actor | None, user_id: uuid.UUID, tenant_id: uuid.UUID) -> bool:
    return reaches(actor, Op.VIEW_OWNED_OBJECTS, tenant_id=tenant_id, owner_id=user_id)


def may_manage_user(
    actor: Actor | None, op: Op, *, tenant_id: uuid.UUID, target_superuser: bool
) -> bool:
    """Role changes and deletion: admins act within their tenant, never on superusers."""
    if actor is None:
        return False
    if target_superuser and not actor.superuser:
        return False
    return reaches(actor, op, tenant_id=tenant_id)


def may_invite(actor: Actor | None, *, tenant_id: uuid.UUID, role: Role) -> bool:
    """Nobody grants more than they hold: members invite at most members."""
    if not reaches(actor, Op.SEND_INVITATION, tenant_id=tenant_id):
        return False
    assert actor is not None
    if actor.superuser or actor.role is Role.ADMIN:
        return True
    return role.rank <= Role.MEMBER.rank


def may_see_invitation_link(
    actor: Actor | None, *, tenant_id: uuid.UUID, invited_by_id: uuid.UUID | None
) -> bool:
    return reaches(actor, Op.MANAGE_INVITATIONS, tenant_id=tenant_id, owner_id=invited_by_id)


def may_change_own_email(actor: Actor | None, user_id: uuid.UUID) -> bool:
    return actor is not None and actor.user_id == user_id


def may_see_user(actor: Actor | None, *, user_id: uuid.UUID, tenant_id: uuid.UUID) -> bool:
    """Whether a user reached through another object (an inviter, an audit actor) is shown."""
    if actor is None:
        return False
    return user_id == actor.user_id or reaches(actor, Op.LIST_USERS, tenant_id=tenant_id)
