"""Who a valid assertion signs in.

Identity is (tenant, IdP entity ID, NameID). An existing SAML user with that identity signs in.
Otherwise the e-mail (NameID, or an e-mail attribute) may open an account: a pending SAML
invitation of this tenant for it is consumed, or else a sign-up domain of this tenant with the
SAML method admits it with the domain's default role. Nothing else: never a Password or PAM
user (their e-mail or username is simply taken), never a superuser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain import validation
from domain.errors import AlreadyExists, ValidationFailed
from domain.invitations import SamlIdentity, accept_invitation_by_sso
from domain.locks import lock_tenant
from domain.signup_domains import domain_rule
from domain.tenant_settings import allowed_methods
from domain.users import NewUser, create_user, free_username
from models import AuthMethod, Tenant, User

# Attribute names IdPs use for the e-mail address (plain, Azure/ADFS claim, LDAP OID).
EMAIL_ATTRIBUTES = (
    "email",
    "mail",
    "emailAddress",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
)
MAX_NAME_ID = 1024  # User.saml_name_id


class NoAccount(Exception):
    """The assertion is valid but names nobody this tenant lets in (the reason is logged)."""


@dataclass(frozen=True)
class Identity:
    idp_entity_id: str
    name_id: str
    attributes: Mapping[str, Sequence[str]]

    def email(self) -> str | None:
        for candidate in (self.name_id, *self._email_attributes()):
            try:
                return validation.email(candidate)
            except ValidationFailed:
                continue
        return None

    def _email_attributes(self) -> list[str]:
        return [value for name in EMAIL_ATTRIBUTES for value in self.attributes.get(name, [])]


async def account_for(tenant: Tenant, identity: Identity) -> User:
    if not identity.name_id or len(identity.name_id) > MAX_NAME_ID:
        raise NoAccount("the NameID is empty or longer than we store")
    user = await _linked(tenant, identity)
    if user is not None:
        if user.deactivated_at is not None:
            raise NoAccount("the user is deactivated")
        return user
    email = identity.email()
    if email is None:
        raise NoAccount("no e-mail in NameID or attributes, and no user with this NameID")
    user = await _provisioned(tenant, identity, email)
    if user is not None:
        return user
    user, reason = await _new_account(tenant, identity, email)
    # A simultaneous sign-in of the same person may have made the account meanwhile.
    user = user or await _linked(tenant, identity)
    if user is None:
        raise NoAccount(reason)
    return user


async def _new_account(tenant: Tenant, identity: Identity, email: str) -> tuple[User | None, str]:
    """The account an invitation or a sign-up domain opens, or why there is none."""
    if AuthMethod.SAML not in allowed_methods(tenant):
        return None, "the tenant admits no new accounts that sign in with SAML"
    if await User.filter(tenant_id=tenant.id, email_key=validation.key(email)).exists():
        return None, "a user with this e-mail exists and is not linked to this identity"
    try:
        user = await _from_invitation(tenant, identity, email)
        if user is None:
            user = await _from_signup_domain(tenant, identity, email)
    except (AlreadyExists, ValidationFailed) as exc:
        return None, f"the account could not be created: {exc}"
    return user, "no SAML invitation or SAML sign-up domain for this e-mail"


async def _provisioned(tenant: Tenant, identity: Identity, email: str) -> User | None:
    """A SAML user an identity provider provisioned over SCIM, not yet linked to an identity:
    their first sign-in links them (the IdP that provisions the tenant also signs it in)."""
    async with in_transaction() as connection:
        await lock_tenant(connection, tenant.id)
        user = (
            await User.filter(
                tenant_id=tenant.id,
                email_key=validation.key(email),
                auth_method=AuthMethod.SAML,
                saml_name_id__isnull=True,
                scim_user_name__isnull=False,
                superuser=False,
            )
            .using_db(connection)
            .first()
        )
        if user is None:
            return None
        if user.deactivated_at is not None:
            raise NoAccount("the user is deactivated")
        await _link(user, identity, connection)
    return user


async def _linked(tenant: Tenant, identity: Identity) -> User | None:
    user = await User.get_or_none(
        tenant_id=tenant.id,
        saml_idp_entity_id=identity.idp_entity_id,
        saml_name_id=identity.name_id,
    )
    if user is not None and user.auth_method is not AuthMethod.SAML:
        raise NoAccount("the identity belongs to a user who does not sign in with SAML")
    return user


async def _link(user: User, identity: Identity, connection: object) -> None:
    user.saml_idp_entity_id, user.saml_name_id = identity.idp_entity_id, identity.name_id
    await (
        User.filter(id=user.id)
        .using_db(connection)
        .update(  # type: ignore[arg-type]
            saml_idp_entity_id=identity.idp_entity_id, saml_name_id=identity.name_id
        )
    )


async def _from_invitation(tenant: Tenant, identity: Identity, email: str) -> User | None:
    return await accept_invitation_by_sso(
        tenant.id, email, SamlIdentity(identity.idp_entity_id, identity.name_id)
    )


async def _from_signup_domain(tenant: Tenant, identity: Identity, email: str) -> User | None:
    rule = await domain_rule(tenant.id, email)
    if rule is None or rule.auth_method is not AuthMethod.SAML:
        return None
    async with in_transaction() as connection:
        await lock_tenant(connection, tenant.id)
        user = await create_user(
            None,
            NewUser(
                tenant=tenant,
                username=await _free_username(tenant, email),
                email=email,
                role=rule.default_role,
                auth_method=AuthMethod.SAML,
                superuser=False,
                signed_up=True,
            ),
            action="user.signed_up_by_sso",
        )
        await _link(user, identity, connection)
    return user


async def _free_username(tenant: Tenant, email: str) -> str:
    """The e-mail's local part made into a username; a number appended while it is taken."""
    return await free_username(tenant.id, email)
