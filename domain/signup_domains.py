"""Which sign-up domain admits an address: the whitelist's check, read by sign-up, SSO and
e-mail changes alike (here rather than in signup.py, which imports users.py)."""

from __future__ import annotations

import uuid

from domain import validation
from domain.errors import ValidationFailed
from models import DomainStatus, SignupDomain


async def domain_rule(tenant_id: uuid.UUID, normal_email: str) -> SignupDomain | None:
    """The whitelist entry for exactly this e-mail's domain (never a look-alike), once it is
    verified: a domain nobody has shown to be the tenant's admits no one."""
    return await SignupDomain.get_or_none(
        tenant_id=tenant_id,
        domain=validation.email_domain(normal_email),
        status=DomainStatus.VERIFIED,
    )


async def require_allowed_domain(tenant_id: uuid.UUID, normal_email: str) -> None:
    """Users who came through sign-up keep an address on the whitelist."""
    if await domain_rule(tenant_id, normal_email) is None:
        raise ValidationFailed(
            "That e-mail domain is not open for sign-up in this tenant.", "email"
        )
