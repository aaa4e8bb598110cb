"""Verified sign-up domains (issue 15, part 3): a tenant admin's domain admits sign-ups only
once its TXT record `_tenantry-challenge.<domain>` is seen in DNS (a real DNS server here), or
a superuser vouches for it; one tenant at a time holds a verified domain; consumer mail
domains and admin-making domains are refused."""

from __future__ import annotations

import asyncio
import socket

import pytest

from config import configure
from models import AuditEvent, DomainStatus, SignupDomain
from tests.signup.queries import REMOVE, SIGN_UP
from tests.tokens.helpers import refused_as_a_token_request, token_of

PASSWORD = "a long enough password 42"
FIELDS = "id domain defaultRole status verification { recordName recordValue checkedAt }"
ADD = f"""
mutation($input: SignupDomainInput!) {{
  addSignupDomain(input: $input) {{
    __typename
    ... on SignupDomainPayload {{ signupDomain {{ {FIELDS} }} }}
    ... on ValidationError {{ message field }}
    ... on Error {{ message }}
  }}
}}
"""
RESULT = f"""
    __typename
    ... on SignupDomainPayload {{ signupDomain {{ {FIELDS} }} }}
    ... on DomainNotVerified {{ message recordName recordValue }}
    ... on ValidationError {{ message field }}
    ... on Error {{ message }}
"""
VERIFY = f"mutation($id: ID!) {{ verifySignupDomain(id: $id) {{ {RESULT} }} }}"
MARK = f"mutation($id: ID!) {{ markSignupDomainVerified(id: $id) {{ {RESULT} }} }}"
DOMAINS = f"query($tenantId: ID) {{ signupDomains(tenantId: $tenantId) {{ {FIELDS} }} }}"


def domain_input(domain: str = "example.com", role: str = "MEMBER", **more) -> dict:
    return {"input": {"domain": domain, "defaultRole": role, **more}}


async def add(gql, person, domain: str = "example.com", **more) -> dict:
    return (await gql(ADD, domain_input(domain, **more), as_=person)).payload("addSignupDomain")


async def added(gql, person, domain: str = "example.com", **more) -> dict:
    answer = await add(gql, person, domain, **more)
    assert answer["__typename"] == "SignupDomainPayload", answer
    return answer["signupDomain"]


async def verify(gql, person, domain_id: str) -> dict:
    return (await gql(VERIFY, {"id": domain_id}, as_=person)).payload("verifySignupDomain")


async def mark(gql, person, domain_id: str) -> dict:
    return (await gql(MARK, {"id": domain_id}, as_=person)).payload("markSignupDomainVerified")


async def sign_up(gql, email: str = "ana@example.com", tenant: str = "acme") -> str:
    variables = {"input": {"tenant": tenant, "username": email.split("@")[0], "email": email,
                           "password": PASSWORD}}  # fmt: skip
    return (await gql(SIGN_UP, variables)).payload("signUp")["__typename"]


def publish(dns_zone, domain: dict) -> None:
    record = domain["verification"]
    dns_zone.publish(record["recordName"], record["recordValue"])


# ---------------------------------------------------------------- pending until seen


async def test_an_admins_domain_is_pending_with_the_record_to_publish(gql, cast):
    domain = await added(gql, cast.admin_a)
    assert domain["status"] == "PENDING"
    record = domain["verification"]
    assert record["recordName"] == "_tenantry-challenge.example.com"
    assert record["checkedAt"] is None
    token = record["recordValue"].removeprefix("tenantry-domain-verification=")
    assert len(token) >= 22  # at least 128 bits, URL-safe base64


async def test_each_domain_has_its_own_record_value(gql, cast):
    first = await added(gql, cast.admin_a, "one.example")
    second = await added(gql, cast.admin_a, "two.example")
    elsewhere = await added(gql, cast.admin_b, "one.example")
    values = {d["verification"]["recordValue"] for d in (first, second, elsewhere)}
    assert len(values) == 3


async def test_sign_up_works_only_after_the_txt_record_is_seen(gql, cast, dns_zone, smtp):
    domain = await added(gql, cast.admin_a)
    assert await sign_up(gql) == "DomainNotAllowed"

    missing = await verify(gql, cast.admin_a, domain["id"])
    assert missing == {
        "__typename": "DomainNotVerified",
        "message": missing["message"],
        "recordName": "_tenantry-challenge.example.com",
        "recordValue": domain["verification"]["recordValue"],
    }
    assert await sign_up(gql) == "DomainNotAllowed"

    publish(dns_zone, domain)
    found = await verify(gql, cast.admin_a, domain["id"])
    assert found["__typename"] == "SignupDomainPayload"
    assert found["signupDomain"]["status"] == "VERIFIED"
    assert found["signupDomain"]["verification"]["checkedAt"] is not None
    assert "_tenantry-challenge.example.com" in dns_zone.questions
    assert await sign_up(gql) == "SignUpSuccess"


async def test_a_check_that_finds_nothing_records_when_it_looked(gql, cast, dns_zone):
    domain = await added(gql, cast.admin_a)
    await verify(gql, cast.admin_a, domain["id"])
    listed = (await gql(DOMAINS, as_=cast.admin_a)).ok()["signupDomains"][0]
    assert listed["status"] == "PENDING"
    assert listed["verification"]["checkedAt"] is not None


@pytest.mark.parametrize(
    "published",
    ["something else", "tenantry-domain-verification=", "OTHER-DOMAIN"],
)
async def test_a_record_with_another_value_leaves_the_domain_failed(
    gql, cast, dns_zone, smtp, published
):
    domain = await added(gql, cast.admin_a)
    if published == "OTHER-DOMAIN":  # another domain's (valid) value, copied here
        published = (await added(gql, cast.admin_a, "other.example"))["verification"]["recordValue"]
    dns_zone.publish("_tenantry-challenge.example.com", published)
    assert (await verify(gql, cast.admin_a, domain["id"]))["__typename"] == "DomainNotVerified"
    listed = await SignupDomain.get(id=domain["id"])
    assert listed.status is DomainStatus.FAILED
    assert await sign_up(gql) == "DomainNotAllowed"
    event = await AuditEvent.get(action="signup_domain.status_changed")
    assert event.changes == {"domain": "example.com", "status": "failed"}


async def test_the_right_value_among_others_verifies(gql, cast, dns_zone):
    domain = await added(gql, cast.admin_a)
    dns_zone.publish("_tenantry-challenge.example.com", "v=spf1 -all")
    publish(dns_zone, domain)
    assert (await verify(gql, cast.admin_a, domain["id"]))["__typename"] == "SignupDomainPayload"


async def test_a_record_at_the_domain_itself_does_not_verify(gql, cast, dns_zone):
    domain = await added(gql, cast.admin_a)
    dns_zone.publish("example.com", domain["verification"]["recordValue"])
    assert (await verify(gql, cast.admin_a, domain["id"]))["__typename"] == "DomainNotVerified"


async def test_an_unreachable_dns_server_answers_not_verified(gql, cast, config):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never answering
        configure(config.model_copy(update={"dns_resolver": f"127.0.0.1:{port}"}))
        try:
            domain = await added(gql, cast.admin_a)
            answer = await verify(gql, cast.admin_a, domain["id"])
        finally:
            configure(config)
    assert answer["__typename"] == "DomainNotVerified"
    assert (await SignupDomain.get(id=domain["id"])).status is DomainStatus.PENDING


async def test_verifying_is_audited_as_done_by_dns(gql, cast, dns_zone):
    domain = await added(gql, cast.admin_a)
    publish(dns_zone, domain)
    await verify(gql, cast.admin_a, domain["id"])
    await verify(gql, cast.admin_a, domain["id"])  # already verified: no second event
    events = await AuditEvent.filter(action="signup_domain.verified")
    assert [(e.actor_id, e.target_id, e.changes) for e in events] == [
        (cast.admin_a.user.id, domain["id"], {"domain": "example.com", "how": "dns"})
    ]


# ---------------------------------------------------------------- superusers


async def test_a_superusers_domain_is_verified_at_once_and_audited(gql, cast, smtp):
    domain = await added(gql, cast.superuser)
    assert domain["status"] == "VERIFIED"
    assert await sign_up(gql) == "SignUpSuccess"
    events = await AuditEvent.filter(target_id=domain["id"])
    assert sorted((e.action, (e.changes or {}).get("how", "")) for e in events) == [
        ("signup_domain.added", ""),
        ("signup_domain.verified", "superuser"),
    ]


async def test_a_superuser_marks_another_tenants_domain_verified(gql, cast, smtp):
    domain = await added(gql, cast.admin_b)
    answer = await mark(gql, cast.superuser, domain["id"])
    assert answer["signupDomain"]["status"] == "VERIFIED"
    assert await sign_up(gql, tenant="globex") == "SignUpSuccess"
    event = await AuditEvent.get(action="signup_domain.verified")
    assert (event.actor_id, event.changes) == (
        cast.superuser.user.id,
        {"domain": "example.com", "how": "superuser"},
    )


@pytest.mark.parametrize("role", ["guest", "member", "admin"])
async def test_only_a_superuser_marks_a_domain_verified(gql, cast, role):
    domain = await added(gql, cast.admin_a)
    result = await gql(MARK, {"id": domain["id"]}, as_=cast.by_role(role))
    assert result.codes == ["FORBIDDEN"]
    assert (await SignupDomain.get(id=domain["id"])).status is DomainStatus.PENDING


# ---------------------------------------------------------------- who may verify


@pytest.mark.parametrize("role", ["guest", "member"])
async def test_guests_and_members_may_not_verify(gql, cast, dns_zone, role):
    domain = await added(gql, cast.admin_a)
    publish(dns_zone, domain)
    result = await gql(VERIFY, {"id": domain["id"]}, as_=cast.by_role(role))
    assert result.codes == ["FORBIDDEN"]
    assert (await SignupDomain.get(id=domain["id"])).status is DomainStatus.PENDING


async def test_another_tenants_admin_finds_no_such_domain(gql, cast, dns_zone):
    domain = await added(gql, cast.admin_a)
    publish(dns_zone, domain)
    assert (await verify(gql, cast.admin_b, domain["id"]))["__typename"] == "NotFound"
    assert (await SignupDomain.get(id=domain["id"])).status is DomainStatus.PENDING
    assert dns_zone.questions == []


async def test_a_superuser_verifies_any_tenants_domain_by_dns(gql, cast, dns_zone):
    domain = await added(gql, cast.admin_b)
    publish(dns_zone, domain)
    answer = await verify(gql, cast.superuser, domain["id"])
    assert answer["signupDomain"]["status"] == "VERIFIED"


@pytest.mark.parametrize("role", ["admin", "superuser"])
async def test_a_token_request_neither_verifies_nor_marks(gql, cast, make, dns_zone, role):
    domain = await added(gql, cast.admin_a)
    publish(dns_zone, domain)
    secret = await token_of(make, cast.by_role(role))
    refused_as_a_token_request(await gql(VERIFY, {"id": domain["id"]}, token=secret))
    refused_as_a_token_request(await gql(MARK, {"id": domain["id"]}, token=secret))
    assert (await SignupDomain.get(id=domain["id"])).status is DomainStatus.PENDING


@pytest.mark.parametrize("typed", ["", "not-an-id", "00000000-0000-0000-0000-000000000000"])
async def test_an_unknown_id_is_not_found(gql, cast, typed):
    assert (await verify(gql, cast.admin_a, typed))["__typename"] == "NotFound"
    assert (await mark(gql, cast.superuser, typed))["__typename"] == "NotFound"


# ---------------------------------------------------------------- one tenant per domain


async def test_a_domain_verified_in_one_tenant_cannot_be_verified_in_another(gql, cast, dns_zone):
    in_a = await added(gql, cast.admin_a)
    publish(dns_zone, in_a)
    await verify(gql, cast.admin_a, in_a["id"])
    in_b = await added(gql, cast.admin_b)
    publish(dns_zone, in_b)
    by_dns = await verify(gql, cast.admin_b, in_b["id"])
    assert (by_dns["__typename"], by_dns["field"]) == ("ValidationError", "id")
    assert (await mark(gql, cast.superuser, in_b["id"]))["__typename"] == "ValidationError"
    added_by_superuser = await add(
        gql, cast.superuser, "example.com", tenantId=str(cast.tenant_b.id)
    )
    assert added_by_superuser["__typename"] in {"ValidationError", "AlreadyExists"}
    assert (await SignupDomain.get(id=in_b["id"])).status is not DomainStatus.VERIFIED


async def test_a_superuser_cannot_add_a_domain_another_tenant_verified(gql, cast, dns_zone):
    await added(gql, cast.superuser)  # acme's, verified
    answer = await add(gql, cast.superuser, "example.com", tenantId=str(cast.tenant_b.id))
    assert (answer["__typename"], answer["field"]) == ("ValidationError", "domain")
    assert await SignupDomain.filter(tenant_id=cast.tenant_b.id).count() == 0


async def test_removing_a_verified_domain_frees_it_for_another_tenant(gql, cast, dns_zone):
    in_a = await added(gql, cast.superuser)
    in_b = await added(gql, cast.admin_b)
    publish(dns_zone, in_b)
    assert (await verify(gql, cast.admin_b, in_b["id"]))["__typename"] == "ValidationError"
    await gql(REMOVE, {"id": in_a["id"]}, as_=cast.admin_a)
    assert (await verify(gql, cast.admin_b, in_b["id"]))["__typename"] == "SignupDomainPayload"


async def test_two_tenants_verifying_at_once_leave_one_verified(gql, cast, dns_zone):
    in_a = await added(gql, cast.admin_a)
    in_b = await added(gql, cast.admin_b)
    publish(dns_zone, in_a)
    publish(dns_zone, in_b)
    answers = await asyncio.gather(
        *[
            verify(gql, person, d["id"])
            for person, d in [(cast.admin_a, in_a), (cast.admin_b, in_b)]
        ]
        * 3
    )
    kinds = sorted({a["__typename"] for a in answers})
    assert kinds == ["SignupDomainPayload", "ValidationError"]
    assert await SignupDomain.filter(status=DomainStatus.VERIFIED).count() == 1


# ---------------------------------------------------------------- refused domains and roles


@pytest.mark.parametrize(
    "typed",
    ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "GMail.COM.", "mail.gmail.com",
     "hotmail.com", "proton.me", "googlemail.com"],
)  # fmt: skip
@pytest.mark.parametrize("role", ["admin", "superuser"])
async def test_consumer_mail_domains_are_refused(gql, cast, typed, role):
    answer = await add(gql, cast.by_role(role), typed)
    assert (answer["__typename"], answer["field"]) == ("ValidationError", "domain")
    assert await SignupDomain.all().count() == 0


async def test_a_domain_that_merely_ends_like_a_consumer_one_is_accepted(gql, cast):
    assert (await added(gql, cast.admin_a, "notgmail.com"))["status"] == "PENDING"


async def test_a_default_role_of_admin_needs_a_superuser(gql, cast):
    answer = await add(gql, cast.admin_a, role="ADMIN")
    assert (answer["__typename"], answer["field"]) == ("ValidationError", "defaultRole")
    assert await SignupDomain.all().count() == 0
    assert (await added(gql, cast.superuser, role="ADMIN"))["defaultRole"] == "ADMIN"


# ---------------------------------------------------------------- rate limit


VERIFY_LIMITED = (
    "mutation($id: ID!) { verifySignupDomain(id: $id) { __typename "
    "... on RateLimited { retryAfterSeconds } } }"
)


async def test_checks_of_one_domain_are_rate_limited_before_dns_is_asked(gql, cast, dns_zone):
    domain = await added(gql, cast.admin_a)
    answers = [
        (await gql(VERIFY_LIMITED, {"id": domain["id"]}, as_=cast.admin_a)).payload(
            "verifySignupDomain"
        )
        for _ in range(21)
    ]
    assert {a["__typename"] for a in answers[:20]} == {"DomainNotVerified"}
    assert answers[20]["__typename"] == "RateLimited"
    assert answers[20]["retryAfterSeconds"] > 0
    publish(dns_zone, domain)  # even once the record is there, the limit holds
    assert (await verify(gql, cast.admin_a, domain["id"]))["__typename"] == "RateLimited"
    assert (await SignupDomain.get(id=domain["id"])).status is not DomainStatus.VERIFIED
