"""The sign-up whitelist: normalised domains, no look-alikes, admins of the tenant only."""

from __future__ import annotations

import pytest

from models import AuditEvent, SignupDomain
from tests.signup.queries import ADD, DOMAINS, REMOVE


def rule(domain: str, role: str = "MEMBER", method: str = "PASSWORD", **more: str) -> dict:
    return {"input": {"domain": domain, "defaultRole": role, "authMethod": method, **more}}


async def add(gql, person, domain: str, **kwargs) -> dict:
    return (await gql(ADD, rule(domain, **kwargs), as_=person)).payload("addSignupDomain")


async def test_an_admin_adds_lists_and_removes_a_domain(gql, cast):
    added = await add(gql, cast.admin_a, "example.com", role="GUEST", method="PAM")
    assert added["__typename"] == "SignupDomainPayload"
    assert added["signupDomain"]["domain"] == "example.com"
    listed = (await gql(DOMAINS, as_=cast.admin_a)).ok()["signupDomains"]
    assert [(d["domain"], d["defaultRole"], d["authMethod"]) for d in listed] == [
        ("example.com", "GUEST", "PAM")
    ]
    removed = (await gql(REMOVE, {"id": listed[0]["id"]}, as_=cast.admin_a)).payload(
        "removeSignupDomain"
    )
    assert removed == {
        "__typename": "DeleteSignupDomainSuccess",
        "deletedSignupDomainId": listed[0]["id"],
    }
    assert (await gql(DOMAINS, as_=cast.admin_a)).ok()["signupDomains"] == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("  example.com ", "example.com"),
        ("Bücher.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("mail.Example.com", "mail.example.com"),
    ],
)
async def test_domains_are_stored_in_normal_form(gql, cast, typed, stored):
    added = await add(gql, cast.admin_a, typed)
    assert added["signupDomain"]["domain"] == stored


@pytest.mark.parametrize(
    "typed",
    ["", "com", "exa mple.com", "a@example.com", "http://example.com", "example.com:25",
     "*.example.com", "example..com", "exаmple.com", "pаypal.com"],  # Cyrillic а in the last two
)  # fmt: skip
async def test_invalid_and_mixed_script_domains_are_refused(gql, cast, typed):
    added = await add(gql, cast.admin_a, typed)
    assert added["__typename"] == "ValidationError", added
    assert added["field"] == "domain"
    assert await SignupDomain.all().count() == 0


async def test_a_domain_is_listed_once_per_tenant(gql, cast):
    await add(gql, cast.admin_a, "example.com")
    again = await add(gql, cast.admin_a, "EXAMPLE.com.")
    assert again["__typename"] == "AlreadyExists"
    elsewhere = await add(gql, cast.admin_b, "example.com")
    assert elsewhere["__typename"] == "SignupDomainPayload"


@pytest.mark.parametrize("role", ["guest", "member"])
async def test_guests_and_members_may_not_see_or_change_the_list(gql, cast, role):
    person = cast.by_role(role)
    assert (await gql(DOMAINS, as_=person)).codes == ["FORBIDDEN"]
    assert (await gql(ADD, rule("example.com"), as_=person)).codes == ["FORBIDDEN"]
    rule_id = (await add(gql, cast.admin_a, "example.com"))["signupDomain"]["id"]
    assert (await gql(REMOVE, {"id": rule_id}, as_=person)).codes == ["FORBIDDEN"]


async def test_anonymous_callers_are_unauthenticated(gql, cast):
    assert (await gql(DOMAINS)).codes == ["UNAUTHENTICATED"]
    assert (await gql(ADD, rule("example.com"))).codes == ["UNAUTHENTICATED"]
    assert (await gql(REMOVE, {"id": "x"})).codes == ["UNAUTHENTICATED"]


async def test_another_tenants_admin_neither_sees_nor_removes_the_domain(gql, cast):
    rule_id = (await add(gql, cast.admin_a, "example.com"))["signupDomain"]["id"]
    assert (await gql(DOMAINS, as_=cast.admin_b)).ok()["signupDomains"] == []
    removed = (await gql(REMOVE, {"id": rule_id}, as_=cast.admin_b)).payload("removeSignupDomain")
    assert removed["__typename"] == "NotFound"
    mine = {"tenantId": str(cast.tenant_a.id)}
    assert (await gql(DOMAINS, mine, as_=cast.admin_b)).ok()["signupDomains"] == []
    added = await add(gql, cast.admin_b, "evil.example", tenantId=str(cast.tenant_a.id))
    assert added["__typename"] == "NotFound"
    assert await SignupDomain.filter(tenant_id=cast.tenant_a.id).count() == 1


async def test_superusers_manage_any_tenants_list(gql, cast):
    theirs = {"tenantId": str(cast.tenant_b.id)}
    added = await add(gql, cast.superuser, "globex.example", tenantId=str(cast.tenant_b.id))
    assert added["__typename"] == "SignupDomainPayload"
    listed = (await gql(DOMAINS, theirs, as_=cast.superuser)).ok()["signupDomains"]
    assert [d["domain"] for d in listed] == ["globex.example"]
    assert [d["domain"] for d in (await gql(DOMAINS, as_=cast.admin_b)).ok()["signupDomains"]] == [
        "globex.example"
    ]
    removed = (await gql(REMOVE, {"id": listed[0]["id"]}, as_=cast.superuser)).payload(
        "removeSignupDomain"
    )
    assert removed["__typename"] == "DeleteSignupDomainSuccess"


async def test_adding_and_removing_are_audited(gql, cast):
    rule_id = (await add(gql, cast.admin_a, "example.com"))["signupDomain"]["id"]
    await gql(REMOVE, {"id": rule_id}, as_=cast.admin_a)
    events = await AuditEvent.filter(target_type="signup_domain").order_by("at")
    assert [(e.action, e.actor_name, e.changes["domain"]) for e in events] == [
        ("signup_domain.added", "alice", "example.com"),
        ("signup_domain.removed", "alice", "example.com"),
    ]
