"""The role and superuser policy, as one table of pure functions. No I/O here.

Each operation maps every kind of caller to a `Scope`: how far the operation reaches for
that caller; its last column says whether a request made with an API token may use it at all.
A request that carries an enrollment challenge (the tenant requires a second factor and the
user has none yet: `MfaRequired.enrollmentRequired`) may use only the operations in
`BY_ENROLLMENT_CHALLENGE`, whatever the user's role.
Object rules (the target's tenant, owner, superuser bit) are applied by the `may_*` functions
below; callers that pass an ID from another tenant are answered as if the
object did not exist, by the domain's `access_*` functions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, auto

from models.enums import Role


class Scope(Enum):
    NONE = auto()
    SELF = auto()  # the caller's own user
    OWN = auto()  # objects the caller owns (or sent), in the caller's tenant
    TENANT = auto()  # anything in the caller's tenant
    ANY = auto()  # anything in any tenant


class ByToken(Enum):
    """What a request authenticated with an API token (rather than a session) may do."""

    AS_OWNER = auto()  # whatever the token's owner may
    # Nothing: the operation mints or reveals a credential (an API token's secret, a session,
    # an invitation or verification link, a TOTP secret, recovery codes, a passkey), sends one
    # where the caller says (an invitation to any address, sign-up for any address of a
    # domain), picks who carries or vouches for them (the mail server, a tenant's IdP, the
    # second factors an account or a tenant requires), or brings a user's dormant credentials
    # back to life (reactivation). A leaked token must stay containable: once it is revoked,
    # nothing it obtained may keep working.
    REFUSED = auto()


class Op(Enum):
    VIEW_SELF = auto()  # me, changePassword
    LIST_USERS = auto()  # users, user(id) of others
    VIEW_OWNED_OBJECTS = auto()  # User.ownedProjects, User.ownedTokens
    CHANGE_ROLE = auto()  # updateUser role of others
    SET_SUPERUSER = auto()
    DELETE_USER = auto()
    TRANSFER_OWNERSHIP = auto()  # transferOwnership of projects
    REISSUE_API_TOKENS = auto()  # transferOwnership of API tokens: new secrets, returned
    SEND_INVITATION = auto()  # a new invitation link, mailed to the address given
    MANAGE_INVITATIONS = auto()  # invitations, deleteInvitation
    RESEND_INVITATION = auto()  # resendInvitation: the link works again for a new lifetime
    SEE_INVITATION_LINK = auto()  # Invitation.link
    MANAGE_SIGNUP_DOMAINS = auto()  # signupDomains, removeSignupDomain
    ADD_SIGNUP_DOMAIN = auto()  # verification links for any address of the domain
    VERIFY_SIGNUP_DOMAIN = auto()  # verifySignupDomain: the domain opens once DNS says so
    # markSignupDomainVerified; adding a domain verified at once; a domain whose users are admins
    VOUCH_FOR_SIGNUP_DOMAIN = auto()
    CREATE_PROJECT = auto()
    CREATE_API_TOKEN = auto()
    LIST_PROJECTS = auto()
    DELETE_OBJECTS = auto()  # deleteProject, revokeApiToken
    AUDIT_LOG = auto()
    INSTANCE_SETTINGS = auto()  # instanceSettings, SSL, listeners, sendTestEmail
    MAIL_SETTINGS = auto()  # updateSmtpSettings: the server every link is mailed through
    TENANTS = auto()  # tenants, createTenant, deleteTenant
    SAML_SETTINGS = auto()  # samlSettings
    CONFIGURE_SAML = auto()  # updateSamlSettings: whose word signs a tenant's users in
    SIGN_IN = auto()  # public: login, acceptInvitation, verifyEmail (a session), signUp (a link)
    OWN_SESSIONS = auto()  # mySessions, revokeSession, revokeOtherSessions
    USER_SESSIONS = auto()  # userSessions, revokeUserSessions
    DEACTIVATE_USER = auto()  # deactivateUser: sign-in, sessions and API tokens stop
    REACTIVATE_USER = auto()  # reactivateUser: the user's sign-in and API tokens work again
    VIEW_OWN_FACTORS = auto()  # myPasskeys
    ENROLL_TOTP = auto()  # enrollTotp (a secret), confirmTotp (recovery codes)
    REGISTER_PASSKEY = auto()  # beginPasskeyRegistration, finishPasskeyRegistration
    REMOVE_OWN_FACTOR = auto()  # disableTotp, removePasskey
    RESET_MFA = auto()  # resetMfa: another user's factors removed, the password alone signs in
    VIEW_TENANT_SETTINGS = auto()  # tenantSettings
    CONFIGURE_TENANT = auto()  # updateTenantSettings: MFA policy, SSO enforcement, lifetimes
    # updateUser email: a confirmation link to the new address; once confirmed, password
    # reset links go there, so a token may not start one (it would outlive the token).
    CHANGE_EMAIL = auto()
    SEND_PASSWORD_RESET = auto()  # sendPasswordReset: a link mailed to the user's own address
    # public: requestPasswordReset, resetPassword (a session), confirmEmailChange
    RECOVER_ACCOUNT = auto()
    # createScimToken, revokeScimToken, scimTokens: a bearer token that provisions the
    # tenant's users (creates, changes, deactivates them) from an identity provider.
    SCIM_TOKENS = auto()
    # setGroupRoleMapping, groupRoleMappings: which IdP groups make their members admins.
    GROUP_ROLE_MAPPINGS = auto()
    # webhooks, updateWebhook, deleteWebhook, webhookDeliveries, redeliverWebhook, testWebhook
    MANAGE_WEBHOOKS = auto()
    WEBHOOK_SECRETS = auto()  # createWebhook, rotateWebhookSecret: a signing secret, shown once


N, S, O, T, A = Scope.NONE, Scope.SELF, Scope.OWN, Scope.TENANT, Scope.ANY
OWNER, REFUSED = ByToken.AS_OWNER, ByToken.REFUSED

# The contract's "who may do what" table, column by column; the last column is this
# instance's rule for requests made with an API token (see ByToken).
#                                guest member admin  superuser  by API token
POLICY: dict[Op, tuple[Scope, Scope, Scope, Scope, ByToken]] = {
    Op.VIEW_SELF:               (S,    S,     S,     S,         OWNER),
    Op.LIST_USERS:              (N,    T,     T,     A,         OWNER),
    Op.VIEW_OWNED_OBJECTS:      (S,    S,     T,     A,         OWNER),
    Op.CHANGE_ROLE:             (N,    N,     T,     A,         OWNER),
    Op.SET_SUPERUSER:           (N,    N,     N,     A,         OWNER),
    Op.DELETE_USER:             (N,    N,     T,     A,         OWNER),
    Op.TRANSFER_OWNERSHIP:      (N,    N,     T,     A,         OWNER),
    Op.REISSUE_API_TOKENS:      (N,    N,     T,     A,         REFUSED),
    Op.SEND_INVITATION:         (N,    T,     T,     A,         REFUSED),
    Op.MANAGE_INVITATIONS:      (N,    O,     T,     A,         OWNER),
    Op.RESEND_INVITATION:       (N,    O,     T,     A,         REFUSED),
    Op.SEE_INVITATION_LINK:     (N,    O,     T,     A,         REFUSED),
    Op.MANAGE_SIGNUP_DOMAINS:   (N,    N,     T,     A,         OWNER),
    Op.ADD_SIGNUP_DOMAIN:       (N,    N,     T,     A,         REFUSED),
    Op.VERIFY_SIGNUP_DOMAIN:    (N,    N,     T,     A,         REFUSED),
    Op.VOUCH_FOR_SIGNUP_DOMAIN: (N,    N,     N,     A,         REFUSED),
    Op.CREATE_PROJECT:          (N,    S,     S,     S,         OWNER),
    Op.CREATE_API_TOKEN:        (N,    S,     S,     S,         REFUSED),
    Op.LIST_PROJECTS:           (N,    T,     T,     T,         OWNER),
    Op.DELETE_OBJECTS:          (N,    O,     T,     A,         OWNER),
    Op.AUDIT_LOG:               (N,    N,     T,     A,         OWNER),
    Op.INSTANCE_SETTINGS:       (N,    N,     N,     A,         OWNER),
    Op.MAIL_SETTINGS:           (N,    N,     N,     A,         REFUSED),
    Op.TENANTS:                 (N,    N,     N,     A,         OWNER),
    Op.SAML_SETTINGS:           (N,    N,     N,     A,         OWNER),
    Op.CONFIGURE_SAML:          (N,    N,     N,     A,         REFUSED),
    Op.SIGN_IN:                 (A,    A,     A,     A,         REFUSED),
    Op.OWN_SESSIONS:            (S,    S,     S,     S,         OWNER),
    Op.USER_SESSIONS:           (N,    N,     T,     A,         OWNER),
    Op.DEACTIVATE_USER:         (N,    N,     T,     A,         OWNER),
    Op.REACTIVATE_USER:         (N,    N,     T,     A,         REFUSED),
    Op.VIEW_OWN_FACTORS:        (S,    S,     S,     S,         OWNER),
    Op.ENROLL_TOTP:             (S,    S,     S,     S,         REFUSED),
    Op.REGISTER_PASSKEY:        (S,    S,     S,     S,         REFUSED),
    Op.REMOVE_OWN_FACTOR:       (S,    S,     S,     S,         REFUSED),
    Op.RESET_MFA:               (N,    N,     T,     A,         REFUSED),
    Op.VIEW_TENANT_SETTINGS:    (N,    N,     T,     A,         OWNER),
    Op.CONFIGURE_TENANT:        (N,    N,     T,     A,         REFUSED),
    Op.CHANGE_EMAIL:            (S,    S,     T,     A,         REFUSED),
    Op.SEND_PASSWORD_RESET:     (N,    N,     T,     A,         OWNER),
    Op.RECOVER_ACCOUNT:         (A,    A,     A,     A,         REFUSED),
    Op.SCIM_TOKENS:             (N,    N,     T,     A,         REFUSED),
    Op.GROUP_ROLE_MAPPINGS:     (N,    N,     T,     A,         REFUSED),
    Op.MANAGE_WEBHOOKS:         (N,    N,     T,     A,         OWNER),
    Op.WEBHOOK_SECRETS:         (N,    N,     T,     A,         REFUSED),
}  # fmt: skip

# The policy in words, for docs/reference/permissions.md (generated from this module: a test
# fails when an operation, a column or a cell has no words here).
COLUMNS = ("guest", "member", "admin", "superuser (any role)", "by API token")
IN_WORDS: dict[Enum, str] = {
    Scope.NONE: "—",
    Scope.SELF: "self",
    Scope.OWN: "own (owned or sent by them)",
    Scope.TENANT: "their tenant",
    Scope.ANY: "every tenant",
    ByToken.AS_OWNER: "as its owner",
    ByToken.REFUSED: "refused",
}
OP_DESCRIPTIONS: dict[Op, str] = {
    Op.VIEW_SELF: "See oneself; change one's own password",
    Op.LIST_USERS: "List and look up the users of a tenant",
    Op.VIEW_OWNED_OBJECTS: "See which projects and API tokens a user owns",
    Op.CHANGE_ROLE: "Change another user's role",
    Op.SET_SUPERUSER: "Grant or revoke the superuser bit",
    Op.DELETE_USER: "Delete a user",
    Op.TRANSFER_OWNERSHIP: "Move a user's projects and API tokens to another user",
    Op.REISSUE_API_TOKENS: "Move API tokens to another user (new secrets, shown once)",
    Op.SEND_INVITATION: "Invite someone by e-mail",
    Op.MANAGE_INVITATIONS: "List and delete invitations",
    Op.RESEND_INVITATION: "Resend an invitation (its link works again)",
    Op.SEE_INVITATION_LINK: "See an invitation's link",
    Op.MANAGE_SIGNUP_DOMAINS: "List and close e-mail domains for self sign-up",
    Op.ADD_SIGNUP_DOMAIN: "Open an e-mail domain for self sign-up",
    Op.VERIFY_SIGNUP_DOMAIN: "Verify a sign-up domain by its DNS TXT record (sign-up opens)",
    Op.VOUCH_FOR_SIGNUP_DOMAIN: "Mark a sign-up domain verified without DNS; add domains "
    "verified at once, or whose new users are admins",
    Op.CREATE_PROJECT: "Create a project, owned by the caller",
    Op.CREATE_API_TOKEN: "Create an API token, owned by the caller",
    Op.LIST_PROJECTS: "List projects",
    Op.DELETE_OBJECTS: "Delete projects, revoke API tokens",
    Op.AUDIT_LOG: "Read the audit log",
    Op.INSTANCE_SETTINGS: "Instance settings: SSL, listeners, test e-mail",
    Op.MAIL_SETTINGS: "Set the SMTP server every link is mailed through",
    Op.TENANTS: "List, create and delete tenants",
    Op.SAML_SETTINGS: "Read a tenant's SAML single sign-on settings",
    Op.CONFIGURE_SAML: "Change a tenant's SAML settings",
    Op.SIGN_IN: "Sign in, finish a sign-in with a second factor, accept an invitation, "
    "verify an e-mail, sign up",
    Op.OWN_SESSIONS: "List one's own sessions; end one of them, or all but the current one",
    Op.USER_SESSIONS: "List and end another user's sessions (never a superuser's, for admins)",
    Op.DEACTIVATE_USER: "Deactivate a user: no sign-in, sessions end, API tokens stop "
    "(never a superuser, for admins)",
    Op.REACTIVATE_USER: "Reactivate a user: sign-in and their API tokens work again "
    "(never a superuser, for admins)",
    Op.VIEW_OWN_FACTORS: "List one's own passkeys",
    Op.ENROLL_TOTP: "Turn on an authenticator app (TOTP): its secret, then recovery codes",
    Op.REGISTER_PASSKEY: "Register a passkey (WebAuthn) as a second factor",
    Op.REMOVE_OWN_FACTOR: "Turn off one's authenticator app, remove one's passkeys",
    Op.RESET_MFA: "Remove another user's second factors (recovery), never a superuser's",
    Op.VIEW_TENANT_SETTINGS: "Read a tenant's settings (MFA policy, sign-in methods, lifetimes)",
    Op.CONFIGURE_TENANT: "Change a tenant's settings: require MFA, allowed sign-in methods, "
    "invitation and session lifetimes",
    Op.CHANGE_EMAIL: "Change a user's e-mail address, once the new address confirms a mailed "
    "link (admins: not superusers' addresses)",
    Op.SEND_PASSWORD_RESET: "Mail a user a password reset link, to the user's own address "
    "(admins: not to superusers)",
    Op.RECOVER_ACCOUNT: "Ask for a password reset link, reset a password with one (signs in), "
    "confirm an e-mail change",
    Op.SCIM_TOKENS: "Create, list and revoke a tenant's SCIM tokens (an identity provider "
    "provisions the tenant's users with one)",
    Op.GROUP_ROLE_MAPPINGS: "Map identity-provider groups (SCIM, SAML) to roles; list the mappings",
    Op.MANAGE_WEBHOOKS: "List, change and delete webhooks, read their deliveries, redeliver "
    "and send a test event (instance-wide hooks: superusers)",
    Op.WEBHOOK_SECRETS: "Create a webhook or replace its signing secret (shown once; "
    "instance-wide hooks: superusers)",
}

# Operations anyone may call, signed in or not (the scope columns then say nothing more).
PUBLIC: frozenset[Op] = frozenset({Op.SIGN_IN, Op.RECOVER_ACCOUNT})

# What a request carrying an enrollment challenge (MfaRequired.enrollmentRequired) may do: set
# up a second factor, and finish signing in (which anyone may). Nothing else, not even `me`:
# the password alone has not signed this user in.
BY_ENROLLMENT_CHALLENGE: frozenset[Op] = frozenset(
    {Op.ENROLL_TOTP, Op.REGISTER_PASSKEY, Op.SIGN_IN}
)
ENROLLMENT_REFUSAL = (
    "This tenant requires a second factor: this request may only enroll one (enrollTotp, "
    "confirmTotp, beginPasskeyRegistration, finishPasskeyRegistration). Then finish signing "
    "in with completeLogin."
)

TOKEN_REFUSAL = (
    "A request made with an API token cannot create or reveal credentials (API tokens, "
    "sessions, invitation or sign-in links, webhook secrets), change where they are sent "
    "(e-mail addresses included), nor bring a deactivated user's credentials back. "
    "Sign in and make this request with the session."
)

_COLUMN = {Role.GUEST: 0, Role.MEMBER: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller, as the policy sees it: read fresh from the database on every request."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: Role
    superuser: bool
    username: str = ""
    # Signed in with an API token rather than a session: see ByToken and the table's last column.
    via_api_token: bool = False
    # Not signed in at all: a password was right, and the tenant requires a second factor the
    # user has yet to enroll (see BY_ENROLLMENT_CHALLENGE).
    enrollment_only: bool = False


def refused_to_enrollment(actor: Actor | None, op: Op) -> bool:
    return actor is not None and actor.enrollment_only and op not in BY_ENROLLMENT_CHALLENGE


def refused_to_token(actor: Actor | None, op: Op) -> bool:
    """Is the caller an API-token request, and the operation one no token may use?"""
    return actor is not None and actor.via_api_token and POLICY[op][4] is ByToken.REFUSED


def refusal(actor: Actor | None, op: Op) -> str | None:
    """Why the caller may not use the operation at all, or None when they may."""
    if refused_to_token(actor, op):
        return TOKEN_REFUSAL
    if refused_to_enrollment(actor, op):
        return ENROLLMENT_REFUSAL
    if allowed(actor, op):
        return None
    return "Sign in first." if actor is None else "You may not do this."


def scope(actor: Actor | None, op: Op) -> Scope:
    if actor is None:
        return Scope.ANY if op in PUBLIC else Scope.NONE
    if refused_to_token(actor, op) or refused_to_enrollment(actor, op):
        return Scope.NONE
    row = POLICY[op]
    return row[3] if actor.superuser else row[_COLUMN[actor.role]]


def allowed(actor: Actor | None, op: Op) -> bool:
    """May the caller use the operation at all (before looking at any object)?"""
    return scope(actor, op) is not Scope.NONE


# Whether an object of (tenant_id, owner_id) is within an operation's reach.
Reach = Callable[[uuid.UUID, uuid.UUID | None], bool]


def reaches(
    actor: Actor | None,
    op: Op,
    *,
    tenant_id: uuid.UUID,
    owner_id: uuid.UUID | None = None,
) -> bool:
    """May the caller apply the operation to an object of that tenant and owner?"""
    return reach_of(actor, op)(tenant_id, owner_id)


def reach_of(actor: Actor | None, op: Op) -> Reach:
    """`reaches` for this caller and operation, the policy looked up once: a page that checks
    the same operation on each of its rows (schema/types/users.py) asks once per request."""
    if actor is None:
        return _nothing
    match scope(actor, op):
        case Scope.ANY:
            return _everything
        case Scope.TENANT:
            tenant = actor.tenant_id
            return lambda tenant_id, _owner_id: tenant_id == tenant
        case Scope.OWN | Scope.SELF:
            tenant, user = actor.tenant_id, actor.user_id
            return lambda tenant_id, owner_id: tenant_id == tenant and owner_id == user
        case _:
            return _nothing


def _everything(_tenant_id: uuid.UUID, _owner_id: uuid.UUID | None) -> bool:
    return True


def _nothing(_tenant_id: uuid.UUID, _owner_id: uuid.UUID | None) -> bool:
    return False


def may_view_owned_objects(actor: Actor | None, user_id: uuid.UUID, tenant_id: uuid.UUID) -> bool:
    return reaches(actor, Op.VIEW_OWNED_OBJECTS, tenant_id=tenant_id, owner_id=user_id)


def may_manage_user(
    actor: Actor | None, op: Op, *, tenant_id: uuid.UUID, target_superuser: bool
) -> bool:
    """Role changes, deletion, deactivation, another user's sessions: admins act within their
    tenant, never on superusers."""
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
    return reaches(actor, Op.SEE_INVITATION_LINK, tenant_id=tenant_id, owner_id=invited_by_id)


def may_change_own_email(actor: Actor | None, user_id: uuid.UUID) -> bool:
    return actor is not None and actor.user_id == user_id


def may_see_user(actor: Actor | None, *, user_id: uuid.UUID, tenant_id: uuid.UUID) -> bool:
    """Whether a user reached through another object (an inviter, an audit actor) is shown."""
    if actor is None:
        return False
    return user_id == actor.user_id or reaches(actor, Op.LIST_USERS, tenant_id=tenant_id)


def may_manage_webhook(actor: Actor | None, op: Op, *, tenant_id: uuid.UUID | None) -> bool:
    """A tenant's hooks: its admins and superusers; instance-wide hooks: superusers only."""
    if tenant_id is None:
        return actor is not None and scope(actor, op) is Scope.ANY
    return reaches(actor, op, tenant_id=tenant_id)
