"""Factories: objects made through the domain, so tests set up state the way the app does."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.auth.passwords import hashing
from domain.auth.sessions import ClientInfo, start_session
from domain.secrets import new_nonce
from domain.validation import key
from models import (
    ApiToken,
    AuthMethod,
    DomainStatus,
    Invitation,
    Project,
    Role,
    SignupDomain,
    Tenant,
    User,
)
from tests.secrets_seen import remember

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_default_hash: str | None = None


@dataclass
class Person:
    """A user and a live session token to call the API as them."""

    user: User
    token: str

    @property
    def id(self) -> str:
        return str(self.user.id)


@dataclass
class Cast:
    tenant_a: Tenant
    tenant_b: Tenant
    superuser: Person
    admin_a: Person
    member_a: Person
    guest_a: Person
    admin_b: Person
    member_b: Person

    def by_role(self, role: str) -> Person:
        return {
            "superuser": self.superuser,
            "admin": self.admin_a,
            "member": self.member_a,
            "guest": self.guest_a,
            "other_admin": self.admin_b,
        }[role]


class Factory:
    async def tenant(self, name: str | None = None) -> Tenant:
        name = name or f"tenant-{next(_counter)}"
        return await Tenant.create(name=name, name_key=key(name))

    async def user(
        self,
        tenant: Tenant,
        *,
        username: str | None = None,
        email: str | None = None,
        role: Role = Role.MEMBER,
        superuser: bool = False,
        password: str | None = None,
        auth_method: AuthMethod = AuthMethod.PASSWORD,
        email_verified: bool = True,
    ) -> User:
        global _default_hash
        username = username or f"user{next(_counter)}"
        email = email or f"{username}@{tenant.name_key.replace(' ', '-')}.example.com"
        if password is not None:
            password_hash = await hashing().hash(password)
        else:
            if _default_hash is None:
                _default_hash = await hashing().hash(DEFAULT_PASSWORD)
            password_hash = _default_hash
        return await User.create(
            tenant=tenant,
            username=username,
            username_key=key(username),
            email=email,
            email_key=key(email),
            role=role,
            superuser=superuser,
            auth_method=auth_method,
            password_hash=password_hash if auth_method is AuthMethod.PASSWORD else None,
            email_verified=email_verified,
        )

    async def user_with_every_field_set(self, tenant: Tenant) -> User:
        """A deactivated member whose optional fields all hold a value."""
        user = await self.user(tenant)
        user.deactivated_at = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
        user.pending_email = "next@example.com"
        user.external_id = "idp-42"
        user.last_login_at = datetime(2026, 11, 29, 8, 30, tzinfo=UTC)
        await user.save()
        return user

    async def person(self, tenant: Tenant, **kwargs: object) -> Person:
        user = await self.user(tenant, **kwargs)  # type: ignore[arg-type]
        token = await start_session(user, ClientInfo())
        remember(token)
        return Person(user=user, token=token)

    async def project(self, owner: User, name: str | None = None) -> Project:
        name = name or f"project-{next(_counter)}"
        return await Project.create(
            tenant_id=owner.tenant_id,
            name=name,
            name_key=key(name),
            owner=owner,  # type: ignore[attr-defined]
        )

    async def api_token(self, owner: User, name: str | None = None) -> tuple[ApiToken, str]:
        from domain.secrets import digest, new_token

        secret = new_token("tnt_")
        token = await ApiToken.create(
            tenant_id=owner.tenant_id,  # type: ignore[attr-defined]
            owner=owner,
            name=name or f"token-{next(_counter)}",
            prefix=secret[:8],
            token_hash=digest(secret),
        )
        remember(secret)
        return token, secret

    async def invitation(
        self, tenant: Tenant, *, invited_by: User | None = None, username: str | None = None
    ) -> Invitation:
        """A pending invitation, as sendInvitation stores it (no mail is queued)."""
        username = username or f"invitee{next(_counter)}"
        email = f"{username}@{tenant.name_key.replace(' ', '-')}.example.com"
        return await Invitation.create(
            tenant=tenant,
            username=username,
            username_key=key(username),
            email=email,
            email_key=key(email),
            role=Role.MEMBER,
            auth_method=AuthMethod.PASSWORD,
            invited_by=invited_by,
            nonce=new_nonce(),
            expires_at=datetime.now(UTC) + timedelta(days=7),
        )

    async def signup_domain(self, tenant: Tenant, domain: str | None = None) -> SignupDomain:
        domain = domain or f"signup{next(_counter)}.example.com"
        return await SignupDomain.create(
            status=DomainStatus.VERIFIED, tenant=tenant, domain=domain, default_role=Role.MEMBER
        )

    async def cast(self) -> Cast:
        a = await self.tenant("acme")
        b = await self.tenant("globex")
        return Cast(
            tenant_a=a,
            tenant_b=b,
            superuser=await self.person(a, username="root", role=Role.ADMIN, superuser=True),
            admin_a=await self.person(a, username="alice", role=Role.ADMIN),
            member_a=await self.person(a, username="mallory", role=Role.MEMBER),
            guest_a=await self.person(a, username="gus", role=Role.GUEST),
            admin_b=await self.person(b, username="bianca", role=Role.ADMIN),
            member_b=await self.person(b, username="bert", role=Role.MEMBER),
        )
