"""The policy table, cell by cell: every operation for every kind of caller,
and how far it reaches."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum

import pytest

from models.enums import Role
from permissions.rules import (
    BY_ENROLLMENT_CHALLENGE,
    ENROLLMENT_REFUSAL,
    POLICY,
    TOKEN_REFUSAL,
    Actor,
    ByToken,
    Op,
    Scope,
    allowed,
    may_change_own_email,
    may_invite,
    may_manage_user,
    may_see_invitation_link,
    may_view_owned_objects,
    reaches,
    refusal,
    scope,
)

TENANT = uuid.uuid4()
OTHER_TENANT = uuid.uuid4()


class Caller(Enum):
    GUEST = "guest"
    MEMBER = "member"
    ADMIN = "admin"
    SUPER_GUEST = "superuser-guest"
    SUPER_MEMBER = "superuser-member"
    SUPER_ADMIN = "superuser-admin"


def actor(caller: Caller, *, via_api_token: bool = False, enrollment_only: bool = False) -> Actor:
    role, superuser = {
        Caller.GUEST: (Role.GUEST, False),
        Caller.MEMBER: (Role.MEMBER, False),
        Caller.ADMIN: (Role.ADMIN, False),
        Caller.SUPER_GUEST: (Role.GUEST, True),
        Caller.SUPER_MEMBER: (Role.MEMBER, True),
        Caller.SUPER_ADMIN: (Role.ADMIN, True),
    }[caller]
    return Actor(
        user_id=uuid.uuid4(),
        tenant_id=TENANT,
        role=role,
        superuser=superuser,
        via_api_token=via_api_token,
        enrollment_only=enrollment_only,
    )


N, S, O, T, A = Scope.NONE, Scope.SELF, Scope.OWN, Scope.TENANT, Scope.ANY  # noqa: E741 (the table reads as letters)
SUPERUSER = "superuser"

# The contract's "who may do what", written out again independently of rules.POLICY
# so that a slip in either shows up here.
EXPECTED: dict[Op, dict[str, Scope]] = {
    Op.VIEW_SELF:             {"guest": S, "member": S, "admin": S, SUPERUSER: S},
    Op.LIST_USERS:            {"guest": N, "member": T, "admin": T, SUPERUSER: A},
    Op.VIEW_OWNED_OBJECTS:    {"guest": S, "member": S, "admin": T, SUPERUSER: A},
    Op.CHANGE_ROLE:           {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.SET_SUPERUSER:         {"guest": N, "member": N, "admin": N, SUPERUSER: A},
    Op.DELETE_USER:           {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.TRANSFER_OWNERSHIP:    {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.REISSUE_API_TOKENS:    {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.SEND_INVITATION:       {"guest": N, "member": T, "admin": T, SUPERUSER: A},
    Op.MANAGE_INVITATIONS:    {"guest": N, "member": O, "admin": T, SUPERUSER: A},
    Op.RESEND_INVITATION:     {"guest": N, "member": O, "admin": T, SUPERUSER: A},
    Op.SEE_INVITATION_LINK:   {"guest": N, "member": O, "admin": T, SUPERUSER: A},
    Op.MANAGE_SIGNUP_DOMAINS: {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.ADD_SIGNUP_DOMAIN:     {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.VERIFY_SIGNUP_DOMAIN:  {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.VOUCH_FOR_SIGNUP_DOMAIN: {"guest": N, "member": N, "admin": N, SUPERUSER: A},
    Op.CREATE_PROJECT:        {"guest": N, "member": S, "admin": S, SUPERUSER: S},
    Op.CREATE_API_TOKEN:      {"guest": N, "member": S, "admin": S, SUPERUSER: S},
    Op.LIST_PROJECTS:         {"guest": N, "member": T, "admin": T, SUPERUSER: T},
    Op.DELETE_OBJECTS:        {"guest": N, "member": O, "admin": T, SUPERUSER: A},
    Op.AUDIT_LOG:             {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.INSTANCE_SETTINGS:     {"guest": N, "member": N, "admin": N, SUPERUSER: A},
    Op.MAIL_SETTINGS:         {"guest": N, "member": N, "admin": N, SUPERUSER: A},
    Op.TENANTS:               {"guest": N, "member": N, "admin": N, SUPERUSER: A},
    Op.SAML_SETTINGS:         {"guest": N, "member": N, "admin": N, SUPERUSER: A},
    Op.CONFIGURE_SAML:        {"guest": N, "member": N, "admin": N, SUPERUSER: A},
    Op.SIGN_IN:               {"guest": A, "member": A, "admin": A, SUPERUSER: A},
    Op.OWN_SESSIONS:          {"guest": S, "member": S, "admin": S, SUPERUSER: S},
    Op.USER_SESSIONS:         {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.DEACTIVATE_USER:       {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.REACTIVATE_USER:       {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.VIEW_OWN_FACTORS:      {"guest": S, "member": S, "admin": S, SUPERUSER: S},
    Op.ENROLL_TOTP:           {"guest": S, "member": S, "admin": S, SUPERUSER: S},
    Op.REGISTER_PASSKEY:      {"guest": S, "member": S, "admin": S, SUPERUSER: S},
    Op.REMOVE_OWN_FACTOR:     {"guest": S, "member": S, "admin": S, SUPERUSER: S},
    Op.RESET_MFA:             {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.VIEW_TENANT_SETTINGS:  {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.CONFIGURE_TENANT:      {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.CHANGE_EMAIL:          {"guest": S, "member": S, "admin": T, SUPERUSER: A},
    Op.SEND_PASSWORD_RESET:   {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.RECOVER_ACCOUNT:       {"guest": A, "member": A, "admin": A, SUPERUSER: A},
    Op.SCIM_TOKENS:           {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.GROUP_ROLE_MAPPINGS:   {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.MANAGE_WEBHOOKS:       {"guest": N, "member": N, "admin": T, SUPERUSER: A},
    Op.WEBHOOK_SECRETS:       {"guest": N, "member": N, "admin": T, SUPERUSER: A},
}  # fmt: skip

# Operations that mint or reveal a credential, send one where the caller says, or pick who
# carries or vouches for one: never for a request made with an API token (issue 11).
MINT_OR_REVEAL_A_CREDENTIAL = {
    Op.REISSUE_API_TOKENS,  # transferOwnership answers the moved tokens' new secrets
    Op.SEND_INVITATION,  # an invitation link, mailed to any address
    Op.RESEND_INVITATION,  # the link works again for a new lifetime
    Op.SEE_INVITATION_LINK,  # Invitation.link
    Op.ADD_SIGNUP_DOMAIN,  # verification links for any address of the domain
    Op.VERIFY_SIGNUP_DOMAIN,  # the domain's addresses may then sign up (links to them)
    Op.VOUCH_FOR_SIGNUP_DOMAIN,  # the same, on the caller's word
    Op.CREATE_API_TOKEN,
    Op.MAIL_SETTINGS,  # every link is mailed through that server
    Op.CONFIGURE_SAML,  # the IdP vouches for sign-ins
    Op.REACTIVATE_USER,  # the user's API tokens (perhaps leaked ones) work again
    Op.SIGN_IN,  # login, completeLogin, acceptInvitation, verifyEmail answer a session
    Op.ENROLL_TOTP,  # a TOTP secret, then recovery codes
    Op.REGISTER_PASSKEY,  # a new credential that finishes sign-ins
    Op.REMOVE_OWN_FACTOR,  # what vouches for the account's sign-ins
    Op.RESET_MFA,  # another user then signs in with the password alone
    Op.CONFIGURE_TENANT,  # whether the tenant requires a second factor, and SSO
    # Once confirmed, reset links go to the new address: it would outlive the token.
    Op.CHANGE_EMAIL,
    Op.RECOVER_ACCOUNT,  # resetPassword answers a session
    Op.SCIM_TOKENS,  # a SCIM token provisions (and so signs in) the tenant's users
    Op.GROUP_ROLE_MAPPINGS,  # which IdP groups make admins: the IdP vouches for roles
    Op.WEBHOOK_SECRETS,  # createWebhook, rotateWebhookSecret answer a signing secret
}
# Not refused: sendPasswordReset mails the link to the user's own address, which a token
# cannot change, and requestPasswordReset would mail the same link to anyone who asks.
PUBLIC_OPS = {Op.SIGN_IN, Op.RECOVER_ACCOUNT}


def column(caller: Caller) -> str:
    return SUPERUSER if caller.value.startswith("superuser") else caller.value


CELLS = [(op, caller) for op in Op for caller in Caller]


def cell_id(cell: tuple[Op, Caller]) -> str:
    return f"{cell[0].name}-{cell[1].value}"


class Target(Enum):
    """Where an object lies relative to the caller."""

    OWN = "own"  # the caller's own, in the caller's tenant
    OTHERS_SAME_TENANT = "other's, same tenant"
    OTHER_TENANT = "other tenant"


@dataclass(frozen=True)
class Place:
    tenant_id: uuid.UUID
    owner_id: uuid.UUID


def place(target: Target, who: Actor) -> Place:
    match target:
        case Target.OWN:
            return Place(TENANT, who.user_id)
        case Target.OTHERS_SAME_TENANT:
            return Place(TENANT, uuid.uuid4())
        case Target.OTHER_TENANT:
            return Place(OTHER_TENANT, uuid.uuid4())


REACH: dict[Scope, set[Target]] = {
    Scope.NONE: set(),
    Scope.SELF: {Target.OWN},
    Scope.OWN: {Target.OWN},
    Scope.TENANT: {Target.OWN, Target.OTHERS_SAME_TENANT},
    Scope.ANY: {Target.OWN, Target.OTHERS_SAME_TENANT, Target.OTHER_TENANT},
}


def test_the_policy_table_names_every_operation():
    assert set(POLICY) == set(Op)


@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
def test_each_caller_gets_the_contract_scope_for_each_operation(cell):
    op, caller = cell
    assert scope(actor(caller), op) is EXPECTED[op][column(caller)]


@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
def test_an_operation_is_allowed_exactly_when_its_scope_is_not_none(cell):
    op, caller = cell
    assert allowed(actor(caller), op) is (EXPECTED[op][column(caller)] is not Scope.NONE)


@pytest.mark.parametrize(
    "op", sorted(set(Op) - PUBLIC_OPS, key=lambda op: op.name), ids=lambda op: op.name
)
def test_anonymous_callers_may_do_nothing_but_the_public_operations(op):
    assert scope(None, op) is Scope.NONE
    assert not allowed(None, op)
    assert not reaches(None, op, tenant_id=TENANT, owner_id=uuid.uuid4())


@pytest.mark.parametrize("op", sorted(PUBLIC_OPS, key=lambda op: op.name), ids=lambda op: op.name)
def test_anyone_may_use_a_public_operation(op):
    assert allowed(None, op)
    assert refusal(None, op) is None


# ---------------------------------------------------------------- requests made with an API token


def test_the_table_refuses_to_tokens_exactly_the_operations_that_mint_or_reveal_credentials():
    refused = {op for op, row in POLICY.items() if row[-1] is ByToken.REFUSED}
    assert refused == MINT_OR_REVEAL_A_CREDENTIAL


@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
def test_a_token_request_has_its_owners_scope_except_where_a_credential_is_at_stake(cell):
    op, caller = cell
    expected = N if op in MINT_OR_REVEAL_A_CREDENTIAL else EXPECTED[op][column(caller)]
    assert scope(actor(caller, via_api_token=True), op) is expected


@pytest.mark.parametrize("target", list(Target), ids=lambda t: t.value)
@pytest.mark.parametrize("caller", list(Caller), ids=lambda c: c.value)
def test_a_token_request_reaches_nothing_with_an_operation_that_makes_a_credential(caller, target):
    who = actor(caller, via_api_token=True)
    where = place(target, who)
    for op in MINT_OR_REVEAL_A_CREDENTIAL:
        assert not reaches(who, op, tenant_id=where.tenant_id, owner_id=where.owner_id)


@pytest.mark.parametrize("caller", list(Caller), ids=lambda c: c.value)
def test_a_token_request_is_told_why_it_is_refused(caller):
    who = actor(caller, via_api_token=True)
    for op in MINT_OR_REVEAL_A_CREDENTIAL:
        assert refusal(who, op) == TOKEN_REFUSAL
    session = actor(caller)
    assert refusal(session, Op.CREATE_API_TOKEN) != TOKEN_REFUSAL


@pytest.mark.parametrize("caller", list(Caller), ids=lambda c: c.value)
def test_a_token_request_never_sees_an_invitation_link_even_its_own(caller):
    who = actor(caller, via_api_token=True)
    assert not may_see_invitation_link(who, tenant_id=TENANT, invited_by_id=who.user_id)


@pytest.mark.parametrize("caller", list(Caller), ids=lambda c: c.value)
def test_a_token_request_invites_nobody(caller):
    who = actor(caller, via_api_token=True)
    for role in Role:
        assert not may_invite(who, tenant_id=TENANT, role=role)


@pytest.mark.parametrize("target", list(Target), ids=lambda t: t.value)
@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
def test_an_operation_reaches_objects_as_far_as_its_scope(cell, target):
    op, caller = cell
    who = actor(caller)
    where = place(target, who)
    expected = target in REACH[EXPECTED[op][column(caller)]]
    assert reaches(who, op, tenant_id=where.tenant_id, owner_id=where.owner_id) is expected


@pytest.mark.parametrize("caller", list(Caller), ids=lambda c: c.value)
def test_an_object_without_owner_is_out_of_reach_of_own_and_self_scopes(caller):
    who = actor(caller)
    for op in Op:
        if scope(who, op) in (Scope.OWN, Scope.SELF):
            assert not reaches(who, op, tenant_id=TENANT, owner_id=None)


# ---------------------------------------------------------------- may_manage_user


@pytest.mark.parametrize(
    "op", [Op.CHANGE_ROLE, Op.DELETE_USER, Op.SEND_PASSWORD_RESET], ids=lambda op: op.name
)
@pytest.mark.parametrize(
    ("caller", "target_tenant", "target_superuser", "expected"),
    [
        (Caller.GUEST, TENANT, False, False),
        (Caller.MEMBER, TENANT, False, False),
        (Caller.ADMIN, TENANT, False, True),
        (Caller.ADMIN, TENANT, True, False),  # admins never touch superusers
        (Caller.ADMIN, OTHER_TENANT, False, False),
        (Caller.ADMIN, OTHER_TENANT, True, False),
        (Caller.SUPER_GUEST, TENANT, True, True),
        (Caller.SUPER_MEMBER, OTHER_TENANT, False, True),
        (Caller.SUPER_ADMIN, OTHER_TENANT, True, True),
        (Caller.SUPER_ADMIN, TENANT, False, True),
    ],
)
def test_users_are_managed_by_their_tenant_admins_and_superusers_only(
    op, caller, target_tenant, target_superuser, expected
):
    assert (
        may_manage_user(
            actor(caller), op, tenant_id=target_tenant, target_superuser=target_superuser
        )
        is expected
    )


def test_anonymous_callers_manage_nobody():
    assert not may_manage_user(None, Op.CHANGE_ROLE, tenant_id=TENANT, target_superuser=False)


# ---------------------------------------------------------------- may_invite


@pytest.mark.parametrize(
    ("caller", "role", "tenant", "expected"),
    [
        (Caller.GUEST, Role.GUEST, TENANT, False),
        (Caller.MEMBER, Role.GUEST, TENANT, True),
        (Caller.MEMBER, Role.MEMBER, TENANT, True),
        (Caller.MEMBER, Role.ADMIN, TENANT, False),  # nobody grants more than they hold
        (Caller.MEMBER, Role.MEMBER, OTHER_TENANT, False),
        (Caller.ADMIN, Role.ADMIN, TENANT, True),
        (Caller.ADMIN, Role.MEMBER, OTHER_TENANT, False),
        (Caller.SUPER_GUEST, Role.ADMIN, OTHER_TENANT, True),
        (Caller.SUPER_MEMBER, Role.ADMIN, TENANT, True),
        (Caller.SUPER_ADMIN, Role.ADMIN, OTHER_TENANT, True),
    ],
)
def test_members_invite_at_most_members_and_only_into_their_tenant(caller, role, tenant, expected):
    assert may_invite(actor(caller), tenant_id=tenant, role=role) is expected


def test_anonymous_callers_invite_nobody():
    assert not may_invite(None, tenant_id=TENANT, role=Role.GUEST)


# ---------------------------------------------------------------- the smaller helpers


@pytest.mark.parametrize("caller", list(Caller), ids=lambda c: c.value)
def test_everyone_sees_their_own_owned_objects(caller):
    who = actor(caller)
    assert may_view_owned_objects(who, who.user_id, who.tenant_id)


@pytest.mark.parametrize(
    ("caller", "tenant", "expected"),
    [
        (Caller.GUEST, TENANT, False),
        (Caller.MEMBER, TENANT, False),
        (Caller.ADMIN, TENANT, True),
        (Caller.ADMIN, OTHER_TENANT, False),
        (Caller.SUPER_MEMBER, OTHER_TENANT, True),
    ],
)
def test_others_owned_objects_are_for_tenant_admins_and_superusers(caller, tenant, expected):
    assert may_view_owned_objects(actor(caller), uuid.uuid4(), tenant) is expected


@pytest.mark.parametrize(
    ("caller", "invited_by_self", "tenant", "expected"),
    [
        (Caller.GUEST, True, TENANT, False),
        (Caller.MEMBER, True, TENANT, True),
        (Caller.MEMBER, False, TENANT, False),
        (Caller.ADMIN, False, TENANT, True),
        (Caller.ADMIN, False, OTHER_TENANT, False),
        (Caller.SUPER_GUEST, False, OTHER_TENANT, True),
    ],
)
def test_an_invitation_link_is_for_its_inviter_tenant_admins_and_superusers(
    caller, invited_by_self, tenant, expected
):
    who = actor(caller)
    inviter = who.user_id if invited_by_self else uuid.uuid4()
    assert may_see_invitation_link(who, tenant_id=tenant, invited_by_id=inviter) is expected


def test_only_the_user_themself_changes_their_own_email_by_that_rule():
    who = actor(Caller.GUEST)
    assert may_change_own_email(who, who.user_id)
    assert not may_change_own_email(who, uuid.uuid4())
    assert not may_change_own_email(None, who.user_id)


# ---------------------------------------------------------------- enrollment challenges


def test_an_enrollment_challenge_may_only_enroll_a_factor_and_finish_signing_in():
    assert BY_ENROLLMENT_CHALLENGE == {Op.ENROLL_TOTP, Op.REGISTER_PASSKEY, Op.SIGN_IN}


@pytest.mark.parametrize("cell", CELLS, ids=cell_id)
def test_an_enrollment_challenge_reaches_nothing_else_whatever_the_role(cell):
    op, caller = cell
    expected = EXPECTED[op][column(caller)] if op in BY_ENROLLMENT_CHALLENGE else N
    challenge = actor(caller, enrollment_only=True)
    assert scope(challenge, op) is expected
    if expected is N:
        assert refusal(challenge, op) == ENROLLMENT_REFUSAL
