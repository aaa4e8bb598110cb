"""Webhooks through the API: who may register, see and change them; bad input changes nothing;
the signing secret is answered once, never again, and never to an API token."""

from __future__ import annotations

import pytest

from domain.secrets import decrypt
from models import AuditEvent, Webhook
from tests.webhooks.queries import CREATE, DELETE, HOOKS, ROTATE, UPDATE


def hook(url: str, events: list[str] | None = None, **more: object) -> dict:
    return {"input": {"url": url, "events": ["user.deleted"] if events is None else events, **more}}


async def create(gql, person, url: str, tenant=None, **more) -> dict:
    variables = hook(url, tenantId=str(tenant.id) if tenant is not None else None, **more)
    return (await gql(CREATE, variables, as_=person)).payload("createWebhook")


async def test_an_admin_creates_a_hook_for_their_tenant_and_gets_its_secret_once(
    gql, cast, receiver
):
    created = await create(gql, cast.admin_a, receiver.url, cast.tenant_a, description="billing")
    assert created["__typename"] == "CreateWebhookSuccess"
    assert created["secret"].startswith("whsec_")
    assert created["webhook"]["tenant"]["id"] == str(cast.tenant_a.id)
    assert created["webhook"]["events"] == ["user.deleted"]
    assert created["webhook"]["enabled"] is True
    listed = (await gql(HOOKS, as_=cast.admin_a)).ok()["webhooks"]
    assert [h["id"] for h in listed] == [created["webhook"]["id"]]
    assert "secret" not in str(listed).lower().replace("webhook", "")


async def test_the_secret_is_kept_encrypted(gql, cast, receiver):
    created = await create(gql, cast.admin_a, receiver.url, cast.tenant_a)
    row = await Webhook.get(id=created["webhook"]["id"])
    assert created["secret"] not in row.secret_encrypted
    assert decrypt(row.secret_encrypted) == created["secret"]


async def test_creating_a_hook_is_audited_without_its_secret(gql, cast, receiver):
    created = await create(gql, cast.admin_a, receiver.url, cast.tenant_a)
    event = await AuditEvent.get(action="webhook.created")
    assert event.target_id == created["webhook"]["id"]
    assert created["secret"] not in str(event.changes)


@pytest.mark.parametrize("role", ["guest", "member"])
async def test_guests_and_members_may_not_see_or_make_hooks(gql, cast, receiver, role):
    person = cast.by_role(role)
    assert (
        await gql(CREATE, hook(receiver.url, tenantId=str(cast.tenant_a.id)), as_=person)
    ).codes == ["FORBIDDEN"]
    assert (await gql(HOOKS, as_=person)).codes == ["FORBIDDEN"]
    hook_id = (await create(gql, cast.admin_a, receiver.url, cast.tenant_a))["webhook"]["id"]
    assert (await gql(DELETE, {"id": hook_id}, as_=person)).codes == ["FORBIDDEN"]
    assert await Webhook.all().count() == 1


async def test_anonymous_callers_are_asked_to_sign_in(gql, receiver):
    assert (await gql(CREATE, hook(receiver.url))).codes == ["UNAUTHENTICATED"]
    assert (await gql(HOOKS)).codes == ["UNAUTHENTICATED"]


async def test_another_tenants_admin_finds_no_such_hook(gql, cast, receiver):
    hook_id = (await create(gql, cast.admin_a, receiver.url, cast.tenant_a))["webhook"]["id"]
    assert (await gql(HOOKS, as_=cast.admin_b)).ok()["webhooks"] == []
    for query, variables in [
        (DELETE, {"id": hook_id}),
        (ROTATE, {"id": hook_id}),
        (UPDATE, {"input": {"id": hook_id, "enabled": False}}),
    ]:
        answer = (await gql(query, variables, as_=cast.admin_b)).ok()
        assert next(iter(answer.values()))["__typename"] == "NotFound"
    created = await create(gql, cast.admin_b, receiver.url, cast.tenant_a)
    assert created["__typename"] == "NotFound"
    assert (await Webhook.get(id=hook_id)).enabled is True


async def test_a_superuser_manages_any_tenants_hooks_and_instance_wide_ones(gql, cast, receiver):
    theirs = await create(gql, cast.superuser, receiver.url, cast.tenant_b)
    assert theirs["webhook"]["tenant"]["id"] == str(cast.tenant_b.id)
    everywhere = await create(gql, cast.superuser, receiver.url)
    assert everywhere["__typename"] == "CreateWebhookSuccess"
    assert everywhere["webhook"]["tenant"] is None
    listed = (await gql(HOOKS, as_=cast.superuser)).ok()["webhooks"]
    assert {h["id"] for h in listed} == {theirs["webhook"]["id"], everywhere["webhook"]["id"]}
    of_b = (await gql(HOOKS, {"tenantId": str(cast.tenant_b.id)}, as_=cast.superuser)).ok()
    assert [h["id"] for h in of_b["webhooks"]] == [theirs["webhook"]["id"]]


async def test_an_admin_may_not_create_an_instance_wide_hook(gql, cast, receiver):
    created = await create(gql, cast.admin_a, receiver.url)
    assert created["__typename"] == "ValidationError"
    assert created["field"] == "tenantId"
    assert await Webhook.all().count() == 0


async def test_an_admin_does_not_see_instance_wide_hooks(gql, cast, receiver):
    everywhere = (await create(gql, cast.superuser, receiver.url))["webhook"]["id"]
    assert (await gql(HOOKS, as_=cast.admin_a)).ok()["webhooks"] == []
    answer = (await gql(DELETE, {"id": everywhere}, as_=cast.admin_a)).payload("deleteWebhook")
    assert answer["__typename"] == "NotFound"


async def test_an_api_token_may_not_create_a_hook_or_rotate_its_secret(gql, cast, make, receiver):
    _, token = await make.api_token(cast.admin_a.user)
    refused = await gql(CREATE, hook(receiver.url, tenantId=str(cast.tenant_a.id)), token=token)
    assert refused.codes == ["FORBIDDEN"]
    assert await Webhook.all().count() == 0
    hook_id = (await create(gql, cast.admin_a, receiver.url, cast.tenant_a))["webhook"]["id"]
    assert (await gql(ROTATE, {"id": hook_id}, token=token)).codes == ["FORBIDDEN"]


async def test_an_api_token_lists_and_changes_hooks_as_its_owner(gql, cast, make, receiver):
    _, token = await make.api_token(cast.admin_a.user)
    hook_id = (await create(gql, cast.admin_a, receiver.url, cast.tenant_a))["webhook"]["id"]
    assert [h["id"] for h in (await gql(HOOKS, token=token)).ok()["webhooks"]] == [hook_id]
    changed = await gql(UPDATE, {"input": {"id": hook_id, "enabled": False}}, token=token)
    assert changed.payload("updateWebhook")["webhook"]["enabled"] is False


@pytest.mark.parametrize(
    ("url", "events"),
    [
        ("ftp://127.0.0.1/x", ["user.deleted"]),
        ("not a url", ["user.deleted"]),
        ("http://user:pass@127.0.0.1/x", ["user.deleted"]),
        ("http:///no-host", ["user.deleted"]),
        ("http://127.0.0.1:99999/x", ["user.deleted"]),
        ("http://127.0.0.1/" + "x" * 2000, ["user.deleted"]),
    ],
)
async def test_bad_urls_are_refused_and_nothing_is_created(gql, cast, url, events):
    created = await create(gql, cast.admin_a, url, cast.tenant_a)
    assert created["__typename"] == "ValidationError", created
    assert created["field"] == "url"
    assert await Webhook.all().count() == 0


@pytest.mark.parametrize("events", [[], ["user.exploded"], ["user.deleted", "*"]])
async def test_unknown_or_missing_events_are_refused(gql, cast, receiver, events):
    created = await create(gql, cast.admin_a, receiver.url, cast.tenant_a, events=events)
    assert created["__typename"] == "ValidationError"
    assert created["field"] == "events"
    assert await Webhook.all().count() == 0


async def test_every_event_of_the_contract_may_be_picked(gql, cast, receiver):
    contract_events = [
        "invitation.sent", "invitation.accepted", "invitation.deleted", "user.created",
        "user.updated", "user.role_changed", "user.deactivated", "user.reactivated",
        "user.deleted", "ownership.transferred", "signup.verified", "signup_domain.verified",
        "webhook.test",
    ]  # fmt: skip
    created = await create(gql, cast.admin_a, receiver.url, cast.tenant_a, events=contract_events)
    assert created["__typename"] == "CreateWebhookSuccess", created


async def test_an_admin_changes_and_switches_off_a_hook(gql, cast, receiver):
    hook_id = (await create(gql, cast.admin_a, receiver.url, cast.tenant_a))["webhook"]["id"]
    changed = await gql(
        UPDATE,
        {"input": {"id": hook_id, "events": ["user.created", "user.deleted"],
                   "description": "seats", "enabled": False}},
        as_=cast.admin_a,
    )  # fmt: skip
    webhook = changed.payload("updateWebhook")["webhook"]
    assert webhook["events"] == ["user.created", "user.deleted"]
    assert webhook["description"] == "seats"
    assert webhook["enabled"] is False
    assert webhook["disabledReason"]
    assert await AuditEvent.filter(action="webhook.updated").count() == 1


async def test_a_bad_change_changes_nothing(gql, cast, receiver):
    hook_id = (await create(gql, cast.admin_a, receiver.url, cast.tenant_a))["webhook"]["id"]
    answer = await gql(
        UPDATE, {"input": {"id": hook_id, "url": "ftp://x", "enabled": False}}, as_=cast.admin_a
    )
    assert answer.payload("updateWebhook")["__typename"] == "ValidationError"
    row = await Webhook.get(id=hook_id)
    assert (row.url, row.enabled) == (receiver.url, True)


async def test_rotating_answers_a_new_secret_and_forgets_the_old(gql, cast, receiver):
    created = await create(gql, cast.admin_a, receiver.url, cast.tenant_a)
    rotated = (await gql(ROTATE, {"id": created["webhook"]["id"]}, as_=cast.admin_a)).payload(
        "rotateWebhookSecret"
    )
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    row = await Webhook.get(id=created["webhook"]["id"])
    assert decrypt(row.secret_encrypted) == rotated["secret"]
    event = await AuditEvent.get(action="webhook.secret_rotated")
    assert rotated["secret"] not in str(event.changes)


async def test_deleting_a_hook_removes_it(gql, cast, receiver):
    hook_id = (await create(gql, cast.admin_a, receiver.url, cast.tenant_a))["webhook"]["id"]
    deleted = (await gql(DELETE, {"id": hook_id}, as_=cast.admin_a)).payload("deleteWebhook")
    assert deleted == {"__typename": "DeleteWebhookSuccess", "deletedWebhookId": hook_id}
    assert await Webhook.all().count() == 0


async def test_an_unknown_or_malformed_id_is_not_found(gql, cast):
    for hook_id in ["nope", "00000000-0000-0000-0000-000000000000"]:
        answer = (await gql(DELETE, {"id": hook_id}, as_=cast.admin_a)).payload("deleteWebhook")
        assert answer["__typename"] == "NotFound"
