"""Proof that a tenant controls a sign-up domain: a DNS TXT record, or a superuser's word.

A domain opens sign-up for every address there, so a tenant admin's domain admits nobody until
`_tenantry-challenge.<domain>` carries the domain's token (or a superuser vouches for it), one
tenant at a time holds a verified domain, and consumer mail domains are never opened."""

from __future__ import annotations

import functools
import logging
import secrets
import uuid
from datetime import UTC, datetime
from importlib import resources

import dns.asyncresolver
import dns.exception
import dns.rdatatype
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from config import dns_server, get_config
from domain import audit, validation
from domain.errors import DomainNotVerified, NotFound, ValidationFailed, require
from domain.ratelimit import Action, limiter
from models import DomainStatus, Role, SignupDomain
from permissions.rules import Actor, Op, allowed, reaches

log = logging.getLogger("tenantry.domain_verification")

RECORD_PREFIX = "_tenantry-challenge."
VALUE_PREFIX = "tenantry-domain-verification="
DNS_TIMEOUT_SECONDS = 3.0
CLAIMED = "Another tenant has verified this domain: it can be verified in one tenant only."


def record_name(domain: str) -> str:
    return RECORD_PREFIX + domain


def record_value(token: str) -> str:
    return VALUE_PREFIX + token


def new_token() -> str:
    """256 random bits. Not a secret: it is published in DNS."""
    return secrets.token_urlsafe(32)


@functools.cache
def consumer_domains() -> frozenset[str]:
    text = resources.files("domain").joinpath("data/consumer-mail-domains.txt").read_text()
    lines = (line.strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def refuse_consumer_domain(domain: str) -> None:
    """Anyone may have an address at a consumer mail provider (or under its domain)."""
    labels = domain.split(".")
    if any(".".join(labels[i:]) in consumer_domains() for i in range(len(labels) - 1)):
        raise ValidationFailed(
            "That is a public mail provider's domain: anyone can have an address there, so it "
            "cannot be opened for sign-up.",
            "domain",
        )


def refuse_admin_role_unless_vouched(actor: Actor, role: Role) -> None:
    """A domain whose new users are admins hands the tenant to anyone with an address there."""
    if role is Role.ADMIN and not allowed(actor, Op.VOUCH_FOR_SIGNUP_DOMAIN):
        raise ValidationFailed(
            "Only a superuser may open a domain whose new users are admins.", "defaultRole"
        )


def vouches(actor: Actor) -> bool:
    """Whether a domain this caller adds is verified at once (a superuser's)."""
    return allowed(actor, Op.VOUCH_FOR_SIGNUP_DOMAIN)


async def claimed_elsewhere(domain: str, tenant_id: uuid.UUID) -> bool:
    return await SignupDomain.filter(verified_domain=domain).exclude(tenant_id=tenant_id).exists()


# ------------------------------------------------------------------ DNS


def _resolver() -> dns.asyncresolver.Resolver:
    configured = get_config().dns_resolver
    if configured is None:
        resolver = dns.asyncresolver.Resolver()  # the system's resolv.conf
    else:
        resolver = dns.asyncresolver.Resolver(configure=False)
        address, port = dns_server(configured)
        resolver.nameservers = [address]
        resolver.port = port
    resolver.timeout = DNS_TIMEOUT_SECONDS
    resolver.lifetime = DNS_TIMEOUT_SECONDS
    return resolver


async def txt_values(name: str) -> list[str]:
    """The TXT strings at `name`; none when it has none, does not exist or DNS does not answer
    (the caller says "not found yet" in every case)."""
    try:
        answer = await _resolver().resolve(name, dns.rdatatype.TXT, search=False)
    except (dns.exception.DNSException, OSError) as error:
        log.info("no TXT record for %s: %s", name, type(error).__name__)
        return []
    return [
        b"".join(rdata.strings).decode("utf-8", errors="replace")  # type: ignore[attr-defined]
        for rdata in answer
    ]


# ------------------------------------------------------------------ verifying


async def _rule_in_reach(actor: Actor, domain_id: str, op: Op) -> SignupDomain:
    rule = await SignupDomain.get_or_none(id=validation.object_id(domain_id))
    if rule is None or not reaches(actor, op, tenant_id=rule.tenant_id):  # type: ignore[attr-defined]
        raise NotFound("No such sign-up domain.")
    return rule


async def _mark_verified(actor: Actor, rule: SignupDomain, how: str) -> SignupDomain:
    """VERIFIED, with the domain's claim: the unique index refuses a second tenant's even when
    two verifications race."""
    tenant_id: uuid.UUID = rule.tenant_id  # type: ignore[attr-defined]
    if await claimed_elsewhere(rule.domain, tenant_id):
        raise ValidationFailed(CLAIMED, "id")
    now = datetime.now(UTC)
    try:
        async with in_transaction() as connection:
            changed = (
                await SignupDomain.filter(id=rule.id)
                .exclude(status=DomainStatus.VERIFIED)
                .using_db(connection)
                .update(
                    status=DomainStatus.VERIFIED,
                    verified_domain=rule.domain,
                    verified_at=now,
                    checked_at=now if how == "dns" else rule.checked_at,
                )  # fmt: skip
            )
            if changed:
                await audit.record(
                    actor, "signup_domain.verified", tenant_id=tenant_id,
                    target_type="signup_domain", target_id=rule.id,
                    changes={"domain": rule.domain, "how": how},
                )  # fmt: skip
    except IntegrityError:
        raise ValidationFailed(CLAIMED, "id") from None
    fresh = await SignupDomain.get_or_none(id=rule.id)
    if fresh is None:
        raise NotFound("No such sign-up domain.")
    return fresh


async def verify_signup_domain(actor: Actor, domain_id: str) -> SignupDomain:
    """VERIFIED once `_tenantry-challenge.<domain>` carries the domain's value. A check that
    finds the name with other values leaves it FAILED, one that finds nothing PENDING; both
    record when they looked (checkedAt) and answer DomainNotVerified with what to publish."""
    require(actor, Op.VERIFY_SIGNUP_DOMAIN)
    rule = await _rule_in_reach(actor, domain_id, Op.VERIFY_SIGNUP_DOMAIN)
    if rule.status is DomainStatus.VERIFIED:
        return rule
    await limiter().hit(
        Action.VERIFY_SIGNUP_DOMAIN, client=str(actor.user_id), account=str(rule.id)
    )
    if rule.verification_token is None:  # cannot happen for rows created since verification
        rule.verification_token = new_token()
        await rule.save(update_fields=["verification_token"])
    name, wanted = record_name(rule.domain), record_value(rule.verification_token)
    if await claimed_elsewhere(rule.domain, rule.tenant_id):  # type: ignore[attr-defined]
        raise ValidationFailed(CLAIMED, "id")
    found = await txt_values(name)
    if any(secrets.compare_digest(value, wanted) for value in found):
        return await _mark_verified(actor, rule, "dns")
    status = DomainStatus.FAILED if found else DomainStatus.PENDING
    async with in_transaction():
        changed = await (
            SignupDomain.filter(id=rule.id)
            .exclude(status=DomainStatus.VERIFIED)
            .update(status=status, checked_at=datetime.now(UTC))
        )
        if changed and status is not rule.status:
            await audit.record(
                actor, "signup_domain.status_changed", tenant_id=rule.tenant_id,  # type: ignore[attr-defined]
                target_type="signup_domain", target_id=rule.id,
                changes={"domain": rule.domain, "status": status},
            )  # fmt: skip
    raise DomainNotVerified(record_name=name, record_value=wanted)


async def mark_signup_domain_verified(actor: Actor, domain_id: str) -> SignupDomain:
    """A superuser's word instead of DNS (audited as such)."""
    require(actor, Op.VOUCH_FOR_SIGNUP_DOMAIN)
    rule = await _rule_in_reach(actor, domain_id, Op.VOUCH_FOR_SIGNUP_DOMAIN)
    if rule.status is DomainStatus.VERIFIED:
        return rule
    return await _mark_verified(actor, rule, "superuser")
