"""Invitations: send, list, copy link, resend, delete, preview, accept.

A token is `<invitation id>.<HMAC(nonce)>` under a key derived from the secret key: 256 bits,
derivable again for Copy Invite Link (it works alongside the mailed one), useless from a
database dump alone, compared in constant time. Acceptance consumes the invitation with a
conditional DELETE inside the transaction that creates the user, and the user table's unique
constraints back it up: concurrent acceptances make exactly one user.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from config import get_config
from domain import audit, mail, outbox, validation
from domain.auth import pam
from domain.auth.challenges import SecondStep
from domain.auth.login import SignedIn, after_first_step
from domain.auth.passwords import check_password_rules, hashing
from domain.auth.sessions import ClientInfo
from domain.errors import (
    AlreadyExists,
    EmailNotConfigured,
    InvalidCredentials,
    InvalidToken,
    NotFound,
    ValidationFailed,
    require,
)
from domain.events import ChangeKind, invitation_change, publish, user_change
from domain.locks import lock_tenant
from domain.ratelimit import Action, limiter
from domain.secrets import link_token_matches, new_nonce, signed_link_token, split_link_token
from domain.smtp_settings import current_server
from domain.tenant_settings import (
    MAX_INVITATION_TTL_HOURS,
    invitation_ttl,
    require_method_allowed,
)
from domain.users import refuse_holders, refuse_taken
from models import (
    AuthMethod,
    EmailStatus,
    Invitation,
    InvitationStatus,
    MailKind,
    Role,
    Tenant,
    User,
)
from permissions.rules import Actor, Op, Scope, may_invite, reaches, scope

PURPOSE = "invitation"


@dataclass(frozen=True)
class NewInvitation:
    username: str
    email: str
    role: Role
    auth_method: AuthMethod = AuthMethod.PASSWORD
    # Superusers only: another tenant than their own.
    tenant_id: str | None = None
    # None: the tenant's invitation lifetime.
    expires_in_hours: int | None = None


@dataclass(frozen=True)
class CheckedInvitation:
    """An invitation that passed every check needing no lock (send_invitation and each row of
    sendInvitations alike); write_invitation stores it under the tenant's lock."""

    tenant: Tenant
    username: str
    email: str
    role: Role
    auth_method: AuthMethod
    lifetime: timedelta


def invitation_token(invitation: Invitation) -> str:
    return signed_link_token(PURPOSE, str(invitation.id), invitation.nonce)


def invitation_link(invitation: Invitation) -> str:
    return mail.invitation_link(invitation_token(invitation))


def lifetime(tenant: Tenant, hours: int | None) -> timedelta:
    """expiresInHours (1 to 720), or the tenant's invitation lifetime when it is left out."""
    return invitation_ttl(tenant) if hours is None else _hours(hours)


def _hours(hours: int) -> timedelta:
    if not 1 <= hours <= MAX_INVITATION_TTL_HOURS:
        raise ValidationFailed(
            f"An invitation lasts 1 to {MAX_INVITATION_TTL_HOURS} hours.", "expiresInHours"
        )
    return timedelta(hours=hours)


async def _target_tenant(
    actor: Actor, tenant_id: str | None, known: dict[str | None, Tenant | None]
) -> Tenant:
    """The caller's tenant; superusers may name another. Missing and out of reach alike.
    `known` remembers the tenants a batch already looked up (None: not found)."""
    if tenant_id not in known:
        if tenant_id is None or tenant_id == str(actor.tenant_id):
            known[tenant_id] = await Tenant.get(id=actor.tenant_id)
        else:
            try:
                known[tenant_id] = await Tenant.get_or_none(id=validation.object_id(tenant_id))
            except NotFound:
                known[tenant_id] = None
    tenant = known[tenant_id]
    if tenant is None or not reaches(actor, Op.SEND_INVITATION, tenant_id=tenant.id):
        raise ValidationFailed("No such tenant.", "tenantId")
    return tenant


async def _refuse_taken(
    tenant_id: uuid.UUID, username: str, email: str, connection: object
) -> None:
    await refuse_taken(tenant_id, username, email, connection=connection)
    invitations = Invitation.filter(tenant_id=tenant_id).using_db(connection)
    await refuse_holders(invitations, username, email, "is already invited", "is already invited")


def _invitation_mail(invitation: Invitation, tenant: Tenant, inviter: str) -> mail.Message:
    return mail.render(
        mail.MailTemplate.INVITATION,
        invitation.email,
        username=invitation.username,
        tenant=tenant.name,
        inviter=inviter,
        role=invitation.role.name.lower(),
        expires=invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
    )


async def check_invitation(
    actor: Actor, new: NewInvitation, tenants: dict[str | None, Tenant | None] | None = None
) -> CheckedInvitation:
    """The checks of one invitation that need no lock: tenant, role cap, names, method,
    lifetime. ValidationFailed names the first field at fault."""
    tenant = await _target_tenant(actor, new.tenant_id, {} if tenants is None else tenants)
    if not may_invite(actor, tenant_id=tenant.id, role=new.role):
        raise ValidationFailed("Members may invite members and guests only.", "role")
    username = validation.username(new.username)
    email = validation.email(new.email)
    require_method_allowed(tenant, new.auth_method, "authMethod")
    return CheckedInvitation(
        tenant, username, email, new.role, new.auth_method, lifetime(tenant, new.expires_in_hours)
    )


async def write_invitation(
    connection: BaseDBAsyncClient, actor: Actor, row: CheckedInvitation
) -> Invitation:
    """Store the invitation, queue its mail and audit it. Call under the tenant's lock (as
    sign-ups do): two invitations of one name never both pass the name check."""
    tenant = row.tenant
    await _refuse_taken(tenant.id, row.username, row.email, connection)
    try:
        invitation = await Invitation.create(
            using_db=connection,
            tenant=tenant,
            username=row.username,
            username_key=validation.key(row.username),
            email=row.email,
            email_key=validation.key(row.email),
            role=row.role,
            auth_method=row.auth_method,
            invited_by_id=actor.user_id,
            nonce=new_nonce(),
            expires_at=datetime.now(UTC) + row.lifetime,
        )
    except IntegrityError:
        raise AlreadyExists("That username or e-mail is already invited.", "username") from None
    await outbox.enqueue(
        connection, MailKind.INVITATION, _invitation_mail(invitation, tenant, actor.username),
        invitation_id=invitation.id,
    )  # fmt: skip
    await audit.record(
        actor, "invitation.sent", tenant_id=tenant.id, target_type="invitation",
        target_id=invitation.id,
        changes={"username": row.username, "email": row.email, "role": row.role,
                 "authMethod": row.auth_method, "expiresAt": invitation.expires_at.isoformat()},
    )  # fmt: skip
    return invitation


async def send_invitation(actor: Actor, new: NewInvitation, client: ClientInfo) -> Invitation:
    require(actor, Op.SEND_INVITATION)
    await limiter().hit(Action.SEND_INVITATION, client=client.address, account=str(actor.user_id))
    row = await check_invitation(actor, new)
    if await current_server() is None:
        raise EmailNotConfigured()
    async with in_transaction() as connection:
        await lock_tenant(connection, row.tenant.id)
        invitation = await write_invitation(connection, actor, row)
    outbox.wake()
    await publish(invitation_change(ChangeKind.CREATED, invitation))
    return invitation


def invitations_in_reach(
    actor: Actor, tenant_id: str | None = None, status: InvitationStatus | None = None
) -> QuerySet[Invitation]:
    """Admins: the tenant's; members: their own; superusers may name another tenant.
    Expired invitations stay listed (with their expiry) so they can be resent."""
    query = _in_reach(actor, tenant_id)
    if status is not None:
        query = query.filter(_status_filter(status, datetime.now(UTC)))
    return query


def _in_reach(actor: Actor, tenant_id: str | None) -> QuerySet[Invitation]:
    query = Invitation.all()
    match scope(actor, Op.MANAGE_INVITATIONS):
        case Scope.ANY if tenant_id is not None:
            try:
                return query.filter(tenant_id=validation.object_id(tenant_id))
            except NotFound:
                return query.filter(id__in=[])
        case Scope.ANY | Scope.TENANT:
            return query.filter(tenant_id=actor.tenant_id)
        case Scope.OWN:
            return query.filter(tenant_id=actor.tenant_id, invited_by_id=actor.user_id)
    return query.filter(id__in=[])


def _status_filter(status: InvitationStatus, now: datetime) -> Q:
    """The rows of each status (models/enums.py InvitationStatus: expiry wins)."""
    match status:
        case InvitationStatus.EXPIRED:
            return Q(expires_at__lte=now)
        case InvitationStatus.FAILED:
            return Q(expires_at__gt=now, email_status=EmailStatus.FAILED)
        case InvitationStatus.PENDING:
            return Q(expires_at__gt=now) & ~Q(email_status=EmailStatus.FAILED)


async def access_invitation(
    actor: Actor, invitation_id: str, op: Op = Op.MANAGE_INVITATIONS
) -> Invitation:
    """NotFound alike for missing and out of reach (another tenant, another member's)."""
    require(actor, op)
    invitation = await Invitation.get_or_none(id=validation.object_id(invitation_id))
    if invitation is None or not reaches(
        actor, op,
        tenant_id=invitation.tenant_id,  # type: ignore[attr-defined]
        owner_id=invitation.invited_by_id,  # type: ignore[attr-defined]
    ):  # fmt: skip
        raise NotFound("No such invitation.")
    return invitation


async def resend_invitation(
    actor: Actor, invitation_id: str, expires_in_hours: int | None = None
) -> Invitation:
    """Send the mail again and renew the expiry (expires_in_hours, or the tenant's lifetime).
    The link stays the same (same nonce)."""
    invitation = await access_invitation(actor, invitation_id, Op.RESEND_INVITATION)
    if expires_in_hours is not None:
        _hours(expires_in_hours)  # refused before anything changes
    if await current_server() is None:
        raise EmailNotConfigured()
    async with in_transaction() as connection:
        invitation = await Invitation.get_or_none(id=invitation.id).using_db(connection)
        if invitation is None:
            raise NotFound("No such invitation.")
        tenant = await Tenant.get(id=invitation.tenant_id).using_db(connection)  # type: ignore[attr-defined]
        inviter = await User.get_or_none(id=invitation.invited_by_id).using_db(connection)  # type: ignore[attr-defined]
        invitation.expires_at = datetime.now(UTC) + lifetime(tenant, expires_in_hours)
        invitation.email_status = EmailStatus.PENDING
        invitation.email_error = None
        await invitation.save(
            using_db=connection, update_fields=["expires_at", "email_status", "email_error"]
        )
        await outbox.cancel_pending(connection, invitation.id)
        await outbox.enqueue(
            connection, MailKind.INVITATION,
            _invitation_mail(invitation, tenant, inviter.username if inviter else actor.username),
            invitation_id=invitation.id,
        )  # fmt: skip
        await audit.record(
            actor, "invitation.resent", tenant_id=tenant.id, target_type="invitation",
            target_id=invitation.id, changes={"expiresAt": invitation.expires_at.isoformat()},
        )  # fmt: skip
    outbox.wake()
    await publish(invitation_change(ChangeKind.UPDATED, invitation))
    return invitation


async def delete_invitation(actor: Actor, invitation_id: str) -> uuid.UUID:
    invitation = await access_invitation(actor, invitation_id)
    async with in_transaction() as connection:
        deleted = await Invitation.filter(id=invitation.id).using_db(connection).delete()
        if not deleted:
            raise NotFound("No such invitation.")
        await audit.record(
            actor, "invitation.deleted", tenant_id=invitation.tenant_id,  # type: ignore[attr-defined]
            target_type="invitation", target_id=invitation.id,
            changes={"username": invitation.username, "email": invitation.email},
        )  # fmt: skip
    await publish(invitation_change(ChangeKind.DELETED, invitation))
    return invitation.id


# ------------------------------------------------------------------ the invitee's side

_DUMMY_ID = "00000000-0000-0000-0000-000000000000"


async def usable_invitation(token: str) -> Invitation | None:
    """The invitation a token names, when the token is genuine and unexpired; else None.
    Unknown, used, revoked, expired and forged tokens all give None, in like time."""
    object_id = split_link_token(token) if len(token) <= 200 else None
    invitation = None
    if object_id is not None:
        try:
            invitation = await Invitation.get_or_none(id=validation.object_id(object_id))
        except NotFound:
            invitation = None
    if invitation is None:
        link_token_matches(PURPOSE, token, _DUMMY_ID, "0" * 64)  # the same work as a real check
        return None
    if not link_token_matches(PURPOSE, token, str(invitation.id), invitation.nonce):
        return None
    if invitation.expires_at <= datetime.now(UTC):
        return None
    return invitation


@dataclass(frozen=True)
class Preview:
    tenant_name: str
    username: str
    email: str
    auth_method: AuthMethod
    expires_at: datetime


async def preview(token: str) -> Preview | None:
    invitation = await usable_invitation(token)
    if invitation is None:
        return None
    tenant = await Tenant.get(id=invitation.tenant_id)  # type: ignore[attr-defined]
    return Preview(
        tenant.name, invitation.username, invitation.email, invitation.auth_method,
        invitation.expires_at,
    )  # fmt: skip


def saml_login_path(tenant: Tenant) -> str:
    return f"/saml/{quote(tenant.name, safe='')}/login"


async def accept_invitation(
    token: str, password: str | None, client: ClientInfo
) -> SignedIn | SecondStep:
    object_id = split_link_token(token) if len(token) <= 200 else None
    await limiter().hit(
        Action.ACCEPT_INVITATION, client=client.address, account=object_id or "malformed"
    )
    invitation = await usable_invitation(token)
    if invitation is None:
        raise InvalidToken()
    tenant = await Tenant.get(id=invitation.tenant_id)  # type: ignore[attr-defined]
    # Sent before the tenant narrowed its methods: kept (and listed), but no longer usable.
    require_method_allowed(tenant, invitation.auth_method, "token")
    password_hash: str | None = None
    match invitation.auth_method:
        case AuthMethod.PASSWORD:
            if not password:
                raise ValidationFailed("Choose a password.", "password")
            checked = check_password_rules(
                password, username=invitation.username, tenant_name=tenant.name
            )
            password_hash = await hashing().hash(checked)
        case AuthMethod.PAM:
            if not password:
                raise ValidationFailed("Give your system password.", "password")
            if not await pam.authenticate(invitation.username, password):
                raise InvalidCredentials()
        case AuthMethod.SAML:
            # Hook for SAML acceptance: the SSO login (domain/saml, its own issue) signs the
            # invitee in; this path only points there.
            raise ValidationFailed(
                "This invitation is accepted through single sign-on: continue at "
                f"{get_config().public_url}{saml_login_path(tenant)}",
                "token",
            )
    user = await _consume(invitation, tenant, password_hash)
    # A tenant that requires MFA gets the new user to enroll a factor before a session.
    return await after_first_step(user, client, how=f"invitation/{invitation.auth_method.value}")


@dataclass(frozen=True)
class SamlIdentity:
    idp_entity_id: str
    name_id: str


async def _consume(
    invitation: Invitation,
    tenant: Tenant,
    password_hash: str | None,
    saml: SamlIdentity | None = None,
) -> User:
    """Delete the invitation (only if it is still the same, unexpired one) and create the user,
    in one transaction: of concurrent acceptances exactly one deletes the row."""
    async with in_transaction() as connection:
        consumed = (
            await Invitation.filter(
                id=invitation.id, nonce=invitation.nonce, expires_at__gt=datetime.now(UTC)
            )
            .using_db(connection)
            .delete()
        )
        # Not `== 1`: SQLite's count includes the rows its ON DELETE CASCADE removed.
        if not consumed:
            raise InvalidToken()
        await refuse_taken(tenant.id, invitation.username, invitation.email, connection=connection)
        try:
            user = await User.create(
                using_db=connection,
                tenant=tenant,
                username=invitation.username,
                username_key=invitation.username_key,
                email=invitation.email,
                email_key=invitation.email_key,
                role=invitation.role,
                auth_method=invitation.auth_method,
                # An invitation never makes a superuser.
                superuser=False,
                password_hash=password_hash,
                email_verified=True,
                saml_idp_entity_id=saml.idp_entity_id if saml else None,
                saml_name_id=saml.name_id if saml else None,
            )
        except IntegrityError:
            raise AlreadyExists("That username or e-mail is taken.", "username") from None
        await audit.record(
            None, "invitation.accepted", tenant_id=tenant.id, target_type="user",
            target_id=user.id,
            changes={"invitation": str(invitation.id), "username": user.username,
                     "role": user.role, "authMethod": user.auth_method},
            actor_name=user.username,
        )  # fmt: skip
    await publish(
        invitation_change(ChangeKind.DELETED, invitation), user_change(ChangeKind.CREATED, user)
    )
    return user


async def accept_invitation_by_sso(
    tenant_id: uuid.UUID, email: str, identity: SamlIdentity
) -> User | None:
    """SAML acceptance, called by the assertion consumer (domain.saml.accounts).

    When the tenant's IdP has vouched for `email` and a SAML invitation for that address is
    pending and unexpired, consume it and create the user, linked to the IdP identity, with the
    invitation's role (never a superuser); the caller then signs the user in with `sign_in`.
    None when there is none, or a simultaneous sign-in consumed it first.
    """
    invitation = await Invitation.filter(
        tenant_id=tenant_id,
        email_key=validation.key(email.strip()),
        auth_method=AuthMethod.SAML,
        expires_at__gt=datetime.now(UTC),
    ).first()
    if invitation is None:
        return None
    tenant = await Tenant.get(id=tenant_id)
    try:
        return await _consume(invitation, tenant, None, saml=identity)
    except InvalidToken:
        return None
