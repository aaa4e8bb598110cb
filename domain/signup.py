"""Self sign-up from the tenant's whitelisted e-mail domains."""

from __future__ import annotations

import asyncio
import logging
import unicodedata
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta

import idna
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from config import get_config
from domain import audit, mail, outbox, user_links, validation
from domain import domain_verification as verification
from domain.auth.challenges import SecondStep
from domain.auth.login import SignedIn, after_first_step
from domain.auth.passwords import check_password_rules, hashing
from domain.auth.sessions import ClientInfo
from domain.errors import (
    AccountDeactivated,
    AlreadyExists,
    DomainNotAllowed,
    EmailNotConfigured,
    Forbidden,
    InvalidToken,
    NotFound,
    ValidationFailed,
    require,
)
from domain.events import ChangeKind, publish, user_change
from domain.locks import lock_tenant
from domain.outages import DATABASE, database_outage
from domain.ratelimit import Action, limiter
from domain.secrets import new_nonce
from domain.signup_domains import domain_rule
from domain.smtp_settings import current_server
from domain.tenant_settings import allowed_methods, require_method_allowed
from domain.tenants import tenant_named
from domain.users import username_in_use
from models import (
    AuthMethod,
    DomainStatus,
    EmailStatus,
    MailKind,
    OutboxMail,
    Role,
    SignupDomain,
    Tenant,
    User,
    UserStatus,
)
from permissions.rules import Actor, Op, allowed, reaches

log = logging.getLogger("tenantry.signup")


# ------------------------------------------------------------------ the whitelist


def _scripts(label: str) -> set[str]:
    """The scripts of a label's letters (LATIN, CYRILLIC, GREEK, ...)."""
    return {unicodedata.name(char, "UNKNOWN").split(" ", 1)[0] for char in label if char.isalpha()}


def normal_domain(value: str, field: str = "domain") -> str:
    """Case, trailing dot and IDNA normalised; refuses labels that mix scripts, the usual
    shape of a look-alike (`exаmple.com` with a Cyrillic а)."""
    ascii_form = validation.domain(value, field)
    try:
        unicode_form = idna.decode(ascii_form)
    except idna.IDNAError:
        raise ValidationFailed("Give a domain name such as example.com.", field) from None
    for label in unicode_form.split("."):
        if len(_scripts(label)) > 1:
            raise ValidationFailed(
                "The domain mixes alphabets in one label, as look-alike domains do.", field
            )
    return ascii_form


async def _tenant_in_reach(
    actor: Actor, tenant_id: str | None, op: Op = Op.MANAGE_SIGNUP_DOMAINS
) -> uuid.UUID:
    """The caller's tenant; superusers may name another. Missing and out of reach alike."""
    if tenant_id is None:
        return actor.tenant_id
    try:
        wanted = validation.object_id(tenant_id)
    except NotFound:
        raise NotFound("No such tenant.") from None
    if not reaches(actor, op, tenant_id=wanted) or not await Tenant.exists(id=wanted):
        raise NotFound("No such tenant.")
    return wanted


async def signup_domains(actor: Actor, tenant_id: str | None = None) -> list[SignupDomain]:
    if not allowed(actor, Op.MANAGE_SIGNUP_DOMAINS):
        raise Forbidden()
    try:
        tenant = await _tenant_in_reach(actor, tenant_id)
    except NotFound:
        return []
    return await SignupDomain.filter(tenant_id=tenant).order_by("domain")


@dataclass(frozen=True)
class NewSignupDomain:
    domain: str
    default_role: Role
    auth_method: AuthMethod = AuthMethod.PASSWORD
    # Superusers only: another tenant than their own.
    tenant_id: str | None = None


async def add_signup_domain(actor: Actor, new: NewSignupDomain) -> SignupDomain:
    require(actor, Op.ADD_SIGNUP_DOMAIN)
    tenant_id = await _tenant_in_reach(actor, new.tenant_id, Op.ADD_SIGNUP_DOMAIN)
    domain = normal_domain(new.domain)
    verification.refuse_consumer_domain(domain)
    verification.refuse_admin_role_unless_vouched(actor, new.default_role)
    require_method_allowed(await Tenant.get(id=tenant_id), new.auth_method, "authMethod")
    # A superuser's domain is verified at once; a tenant admin's waits for its TXT record.
    vouched = verification.vouches(actor)
    if vouched and await verification.claimed_elsewhere(domain, tenant_id):
        raise ValidationFailed(verification.CLAIMED, "domain")
    now = datetime.now(UTC)
    async with in_transaction() as connection:
        if (
            await SignupDomain.filter(tenant_id=tenant_id, domain=domain)
            .using_db(connection)
            .exists()
        ):
            raise AlreadyExists("That domain is already on the list.", "domain")
        try:
            rule = await SignupDomain.create(
                using_db=connection, tenant_id=tenant_id, domain=domain,
                default_role=new.default_role, auth_method=new.auth_method,
                verification_token=verification.new_token(),
                status=DomainStatus.VERIFIED if vouched else DomainStatus.PENDING,
                verified_domain=domain if vouched else None,
                verified_at=now if vouched else None,
            )  # fmt: skip
        except IntegrityError:
            if vouched and await verification.claimed_elsewhere(domain, tenant_id):
                raise ValidationFailed(verification.CLAIMED, "domain") from None
            raise AlreadyExists("That domain is already on the list.", "domain") from None
        await audit.record(
            actor, "signup_domain.added", tenant_id=tenant_id, target_type="signup_domain",
            target_id=rule.id,
            changes={"domain": domain, "defaultRole": new.default_role,
                     "authMethod": new.auth_method},
        )  # fmt: skip
        if vouched:
            await audit.record(
                actor, "signup_domain.verified", tenant_id=tenant_id,
                target_type="signup_domain", target_id=rule.id,
                changes={"domain": domain, "how": "superuser"},
            )  # fmt: skip
    return rule


async def remove_signup_domain(actor: Actor, domain_id: str) -> uuid.UUID:
    if not allowed(actor, Op.MANAGE_SIGNUP_DOMAINS):
        raise Forbidden()
    rule = await SignupDomain.get_or_none(id=validation.object_id(domain_id))
    if rule is None or not reaches(
        actor,
        Op.MANAGE_SIGNUP_DOMAINS,
        tenant_id=rule.tenant_id,  # type: ignore[attr-defined]
    ):
        raise NotFound("No such sign-up domain.")
    async with in_transaction() as connection:
        if not await SignupDomain.filter(id=rule.id).using_db(connection).delete():
            raise NotFound("No such sign-up domain.")
        await audit.record(
            actor, "signup_domain.removed", tenant_id=rule.tenant_id,  # type: ignore[attr-defined]
            target_type="signup_domain", target_id=rule.id, changes={"domain": rule.domain},
        )  # fmt: skip
    return rule.id


# ------------------------------------------------------------------ signing up


def _verification_mail(user: User, tenant: Tenant) -> mail.Message:
    assert user.verification_expires_at is not None
    return mail.render(
        mail.MailTemplate.VERIFICATION,
        user.email,
        username=user.username,
        tenant=tenant.name,
        expires=user.verification_expires_at.strftime("%Y-%m-%d %H:%M UTC"),
    )


@dataclass(frozen=True)
class SignUp:
    tenant: str
    username: str
    email: str
    password: str | None = None


async def sign_up(request: SignUp, client: ClientInfo) -> str:
    """Create an unverified account and mail the verification link; returns the address.

    - A username someone else holds (or an invitation promises) is `AlreadyExists`, whatever
      the address, so the answer does not tell whether the address has an account.
    - An address that already has a verified account answers like a fresh sign-up, and
      nothing is sent.
    - An address whose account nobody has verified yet is signed up afresh: the newest
      sign-up replaces the username, role and method, and only its link works.
    - The password: for a PASSWORD domain it may come now or with `verifyEmail` (which wins).
      One sent now is kept only when the address has no other pending sign-up; a sign-up that
      replaces another keeps none, and its verification must carry the password. Only the
      address's owner can verify, but either sign-up may be a stranger's: this way a password
      the owner did not choose is never waiting in the account the owner activates.
    """
    email = validation.email(request.email)
    await limiter().hit(Action.SIGN_UP, client=client.address, account=validation.key(email))
    username = validation.username(request.username)
    tenant = await tenant_named(request.tenant)
    rule = await domain_rule(tenant.id, email) if tenant is not None else None
    # A domain added before the tenant narrowed its methods stays listed, but admits nobody.
    if tenant is None or rule is None or rule.auth_method not in allowed_methods(tenant):
        raise DomainNotAllowed()
    password_hash = None
    if rule.auth_method is AuthMethod.PASSWORD and request.password is not None:
        checked = check_password_rules(request.password, username=username, tenant_name=tenant.name)
        password_hash = await hashing().hash(checked)
    if await current_server() is None:
        raise EmailNotConfigured()
    pending = PendingSignUp(
        username=username,
        username_key=validation.key(username),
        role=rule.default_role,
        auth_method=rule.auth_method,
        password_hash=password_hash,
        verification_nonce=new_nonce(),
        verification_expires_at=datetime.now(UTC)
        + timedelta(hours=get_config().verification_ttl_hours),
    )
    async with in_transaction() as connection:
        await lock_tenant(connection, tenant.id)
        users = User.filter(tenant_id=tenant.id).using_db(connection)
        existing = await users.filter(email_key=validation.key(email)).first()
        # A deactivated sign-up stays as the admin left it: its address answers like a known one.
        replacing = (
            existing is not None
            and existing.signed_up
            and existing.status is UserStatus.PENDING_VERIFICATION
        )
        keeps_own_name = replacing and existing.username_key == pending.username_key  # type: ignore[union-attr]
        if not keeps_own_name and await username_in_use(tenant.id, username, connection=connection):
            raise AlreadyExists("That username is taken in this tenant.", "username")
        change = None
        if existing is None:
            user = await _create_pending(connection, tenant, rule, email, pending)
            change = user_change(ChangeKind.CREATED, user)
        elif replacing and await _replace_pending(
            # Another sign-up of the address is pending: a password sent now is not kept.
            connection,
            tenant,
            existing,
            replace(pending, password_hash=None),
        ):
            change = user_change(ChangeKind.UPDATED, existing)
        elif not replacing:
            # The owner of the address already has an account: nothing is sent.
            await audit.record(
                None, "user.sign_up_repeated", tenant_id=tenant.id, target_type="user",
                target_id=existing.id, actor_name=username,
            )  # fmt: skip
    outbox.wake()
    if change is not None:
        await publish(change)
    return email


@dataclass(frozen=True)
class PendingSignUp:
    """What a sign-up sets on the account it creates or replaces."""

    username: str
    username_key: str
    role: Role
    auth_method: AuthMethod
    password_hash: str | None
    verification_nonce: str
    verification_expires_at: datetime


async def _create_pending(
    connection: BaseDBAsyncClient,
    tenant: Tenant,
    rule: SignupDomain,
    email: str,
    pending: PendingSignUp,
) -> User:
    try:
        user = await User.create(
            using_db=connection,
            tenant=tenant,
            email=email,
            email_key=validation.key(email),
            # A sign-up domain never makes a superuser.
            superuser=False,
            email_verified=False,
            signed_up=True,
            **asdict(pending),
        )
    except IntegrityError:
        raise AlreadyExists("That username is taken in this tenant.", "username") from None
    await outbox.enqueue(
        connection, MailKind.VERIFICATION, _verification_mail(user, tenant), user_id=user.id
    )
    await audit.record(
        None, "user.signed_up", tenant_id=tenant.id, target_type="user", target_id=user.id,
        changes={"username": pending.username, "email": email, "role": pending.role,
                 "authMethod": pending.auth_method, "domain": rule.domain},
        actor_name=pending.username,
    )  # fmt: skip
    return user


async def _replace_pending(
    connection: BaseDBAsyncClient, tenant: Tenant, user: User, pending: PendingSignUp
) -> bool:
    previous = user.username
    try:
        # Only while still unverified with the nonce read above: verifying and the sweep of
        # lapsed sign-ups take no tenant lock, and either may have come first.
        replaced = (
            await User.filter(
                id=user.id, email_verified=False, verification_nonce=user.verification_nonce
            )
            .using_db(connection)
            .update(**asdict(pending))
        )
    except IntegrityError:
        raise AlreadyExists("That username is taken in this tenant.", "username") from None
    if not replaced:
        return False  # verified or deleted meanwhile: answered like any known address
    for name, value in asdict(pending).items():
        setattr(user, name, value)
    # The earlier link's mail may still be waiting: it would carry a dead link.
    await (
        OutboxMail.filter(user_id=user.id, status=EmailStatus.PENDING).using_db(connection).delete()
    )
    await outbox.enqueue(
        connection, MailKind.VERIFICATION, _verification_mail(user, tenant), user_id=user.id
    )
    await audit.record(
        None, "user.sign_up_replaced", tenant_id=tenant.id, target_type="user",
        target_id=user.id,
        changes={"username": pending.username, "previousUsername": previous,
                 "role": pending.role, "authMethod": pending.auth_method},
        actor_name=pending.username,
    )  # fmt: skip
    return True


async def sign_up_for_link(token: str) -> User | None:
    """The sign-up a live verification link names (for the page, which never uses it up); a
    deactivated one's link answers like a used one."""
    user = await user_links.user_for_link(user_links.VERIFICATION, token)
    return user if user is not None and user.deactivated_at is None else None


async def verify_email(
    token: str, client: ClientInfo, password: str | None = None, *, ask_password: bool = False
) -> SignedIn | SecondStep:
    """Activate the account and sign in. For a PASSWORD sign-up, `password` (checked against
    the rules) becomes its password, whatever signUp sent; without one, the password signUp
    kept (see `sign_up`) is used, and when it kept none the answer is a ValidationError that
    leaves the link usable. `ask_password`: the link page's rule, a password every time, so
    following a mailed link never activates a password someone else chose."""
    await limiter().hit(
        Action.VERIFY_EMAIL, client=client.address, account=user_links.link_subject(token)
    )
    user = await sign_up_for_link(token)
    if user is None:
        raise InvalidToken()
    password_hash = await _password_at_verification(user, password, ask_password=ask_password)
    now = datetime.now(UTC)
    async with in_transaction() as connection:
        # Single use: only the request that still sees this nonce activates the account; a
        # deactivated one is left as it is (its link answers like a used one).
        activated = (
            await User.filter(
                id=user.id,
                verification_nonce=user.verification_nonce,
                verification_expires_at__gt=now,
                deactivated_at__isnull=True,
            )
            .using_db(connection)
            .update(
                email_verified=True,
                verification_nonce=None,
                verification_expires_at=None,
                **({"password_hash": password_hash} if password_hash else {}),
            )
        )
        if activated != 1:
            raise InvalidToken()
        await audit.record(
            None, "user.email_verified", tenant_id=user.tenant_id,  # type: ignore[attr-defined]
            target_type="user", target_id=user.id, actor_name=user.username,
            changes={"password": True} if password_hash else None,  # recorded as "<set>"
        )  # fmt: skip
    user.email_verified = True
    user.verification_nonce = None
    if password_hash:
        user.password_hash = password_hash
    await publish(user_change(ChangeKind.UPDATED, user))
    # A tenant that requires MFA gets the new user to enroll a factor before a session.
    try:
        return await after_first_step(user, client, how="email-verification")
    except AccountDeactivated:  # deactivated since the check above
        raise InvalidToken() from None


_NO_PASSWORD_HERE = "This account signs in through PAM or single sign-on: it takes no password."


async def _password_at_verification(
    user: User, password: str | None, *, ask_password: bool
) -> str | None:
    """The new password's hash, None to keep what the sign-up stored; ValidationFailed when a
    PASSWORD sign-up has none to keep, or for a password the account cannot have."""
    if user.auth_method is not AuthMethod.PASSWORD:
        if password:
            raise ValidationFailed(_NO_PASSWORD_HERE, "password")
        return None
    if not password:
        if user.password_hash is None or ask_password:
            raise ValidationFailed("Choose a password.", "password")
        return None
    tenant = await Tenant.get(id=user.tenant_id)  # type: ignore[attr-defined]
    checked = check_password_rules(password, username=user.username, tenant_name=tenant.name)
    return await hashing().hash(checked)


# ------------------------------------------------------------------ lapsed sign-ups

EXPIRY_SWEEP_SECONDS = 3600


async def remove_expired_sign_ups(now: datetime | None = None) -> int:
    """Delete sign-ups whose verification lapsed unused; returns how many.

    Nobody can activate them any more (signing up again with the address starts afresh), and
    they would hold their usernames forever. An account something was moved to since (its
    projects or tokens restrict the deletion) is left alone.
    """
    now = now or datetime.now(UTC)
    # Never a superuser, whoever made it one: nothing is deleted by itself that could be.
    lapsed = Q(
        signed_up=True, email_verified=False, superuser=False, verification_expires_at__lt=now
    )
    removed = 0
    for user in await User.filter(lapsed):
        try:
            async with in_transaction() as connection:
                # Conditional: a sign-up renewed meanwhile is no longer lapsed.
                if not await User.filter(lapsed, id=user.id).using_db(connection).delete():
                    continue
                await audit.record(
                    None, "user.sign_up_expired", tenant_id=user.tenant_id,  # type: ignore[attr-defined]
                    target_type="user", target_id=user.id, actor_name=user.username,
                )  # fmt: skip
        except IntegrityError:
            continue
        await publish(user_change(ChangeKind.DELETED, user))
        removed += 1
    return removed


async def run_expiry_worker() -> None:
    """The server's background worker for lapsed sign-ups (every process runs one; the
    deletions are conditional, so they never clash)."""
    while True:
        try:
            await remove_expired_sign_ups()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # keep the worker alive; the next sweep tries again
            if not database_outage(error):
                log.exception("removing lapsed sign-ups failed")
        else:
            DATABASE.ended()
        await asyncio.sleep(EXPIRY_SWEEP_SECONDS)
