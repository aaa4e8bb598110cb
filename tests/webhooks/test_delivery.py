"""Deliveries reach a real receiver on 127.0.0.1, signed so that `standardwebhooks` verifies
them; failures are retried, in order per hook, for a day; a hook failing for three days is
switched off and its admins told."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from domain.webhook_delivery import deliver_due_webhooks
from models import DeliveryStatus, Role, User, Webhook, WebhookDelivery
from tests.deactivation.queries import DEACTIVATE, DELETE_USER, REACTIVATE
from tests.invitations.helpers import PASSWORD, invite, mailed_token
from tests.invitations.queries import ACCEPT
from tests.users.queries import UPDATE_USER
from tests.webhooks.conftest import with_settings
from tests.webhooks.queries import CREATE, DELIVERIES, REDELIVER, ROTATE, TEST, UPDATE


async def new_hook(gql, person, receiver, events, tenant=None) -> tuple[str, str]:
    variables = {"input": {"url": receiver.url, "events": events,
                           "tenantId": str(tenant.id) if tenant is not None else None}}  # fmt: skip
    created = (await gql(CREATE, variables, as_=person)).payload("createWebhook")
    assert created["__typename"] == "CreateWebhookSuccess", created
    return created["webhook"]["id"], created["secret"]


async def promote(gql, cast, person) -> None:
    answer = await gql(UPDATE_USER, {"input": {"id": person.id, "role": "ADMIN"}}, as_=cast.admin_a)
    assert answer.payload("updateUser")["__typename"] == "UserPayload"


async def settled(
    delivery_filter: dict, attempts: int = 1, within: float = 10.0
) -> WebhookDelivery:
    """The delivery once the app's own worker has tried it `attempts` times."""
    for _ in range(int(within / 0.05)):
        row = await WebhookDelivery.filter(**delivery_filter).order_by("created_at").first()
        if row is not None and row.attempts >= attempts and row.claimed_until is None:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError("the delivery was never attempted")


async def test_a_role_change_reaches_the_receiver_signed_and_verifiable(gql, cast, receiver):
    hook_id, secret = await new_hook(
        gql, cast.admin_a, receiver, ["user.role_changed"], cast.tenant_a
    )
    await promote(gql, cast, cast.member_a)
    (received,) = await receiver.wait_for(1)
    body = received.verified(secret)
    assert body["type"] == "user.role_changed"
    assert body["data"]["tenantId"] == str(cast.tenant_a.id)
    assert body["data"]["actorId"] == cast.admin_a.id
    assert body["data"]["targetType"] == "user"
    assert body["data"]["targetId"] == cast.member_a.id
    assert body["data"]["changes"] == {"role": "admin"}
    assert datetime.fromisoformat(body["timestamp"]) <= datetime.now(UTC)
    assert received.headers["webhook-id"].startswith("msg_")
    assert received.path == "/hooks"
    row = await settled({"webhook_id": hook_id})
    assert (row.status, row.attempts, row.response_status) == (DeliveryStatus.SUCCEEDED, 1, 200)
    assert row.message_id == received.headers["webhook-id"]


async def test_a_forged_or_wrongly_keyed_delivery_does_not_verify(gql, cast, receiver):
    _, secret = await new_hook(gql, cast.admin_a, receiver, ["user.role_changed"], cast.tenant_a)
    await promote(gql, cast, cast.member_a)
    (received,) = await receiver.wait_for(1)
    with pytest.raises(WebhookVerificationError):
        received.verified("whsec_" + "A" * 32)
    tampered = type(received)(
        received.path, received.headers, received.body.replace(b"admin", b"guest")
    )
    with pytest.raises(WebhookVerificationError):
        tampered.verified(secret)


async def test_each_event_is_sent_once_to_each_hook_that_listens_for_it(gql, cast, receiver):
    await new_hook(gql, cast.admin_a, receiver, ["user.updated", "user.deleted"], cast.tenant_a)
    await new_hook(gql, cast.admin_a, receiver, ["user.role_changed"], cast.tenant_a)
    await promote(gql, cast, cast.member_a)
    received = await receiver.wait_for(2)
    await asyncio.sleep(0.5)
    assert sorted(json.loads(r.body)["type"] for r in received) == [
        "user.role_changed", "user.updated"
    ]  # fmt: skip


async def test_a_tenants_hook_hears_nothing_of_another_tenant(gql, cast, receiver):
    await new_hook(gql, cast.admin_b, receiver, ["user.role_changed"], cast.tenant_b)
    await promote(gql, cast, cast.member_a)
    await asyncio.sleep(0.5)
    assert receiver.requests == []
    assert await WebhookDelivery.all().count() == 0


async def test_an_instance_wide_hook_hears_every_tenant(gql, cast, receiver):
    _, secret = await new_hook(gql, cast.superuser, receiver, ["user.role_changed"])
    await promote(gql, cast, cast.member_a)
    answer = await gql(UPDATE_USER, {"input": {"id": cast.member_b.id, "role": "GUEST"}},
                       as_=cast.admin_b)  # fmt: skip
    assert answer.payload("updateUser")["__typename"] == "UserPayload"
    received = await receiver.wait_for(2)
    tenants = {r.verified(secret)["data"]["tenantId"] for r in received}
    assert tenants == {str(cast.tenant_a.id), str(cast.tenant_b.id)}


async def test_a_switched_off_hook_is_sent_nothing(gql, cast, receiver):
    hook_id, _ = await new_hook(gql, cast.admin_a, receiver, ["user.role_changed"], cast.tenant_a)
    await gql(UPDATE, {"input": {"id": hook_id, "enabled": False}}, as_=cast.admin_a)
    await promote(gql, cast, cast.member_a)
    await asyncio.sleep(0.5)
    assert receiver.requests == []


async def test_a_refused_change_sends_nothing(gql, cast, receiver):
    await new_hook(gql, cast.admin_a, receiver, ["user.updated"], cast.tenant_a)
    answer = await gql(UPDATE_USER, {"input": {"id": cast.member_a.id, "email": "not-an-address"}},
                       as_=cast.admin_a)  # fmt: skip
    assert answer.payload("updateUser")["__typename"] == "ValidationError"
    await asyncio.sleep(0.3)
    assert await WebhookDelivery.all().count() == 0


async def test_secrets_never_reach_the_body(gql, cast, receiver):
    hook_id, secret = await new_hook(gql, cast.admin_a, receiver, ["webhook.secret_rotated"],
                                     cast.tenant_a)  # fmt: skip
    rotated = (await gql(ROTATE, {"id": hook_id}, as_=cast.admin_a)).payload("rotateWebhookSecret")
    (received,) = await receiver.wait_for(1)
    new_secret = rotated["secret"]
    assert new_secret.encode() not in received.body and secret.encode() not in received.body
    # Signed with the new secret, which the receiver now holds.
    assert received.verified(new_secret)["data"]["changes"] == {"secret": "<set>"}


async def test_a_failed_delivery_is_retried_within_a_minute_with_the_same_id(gql, cast, receiver):
    receiver.answers = [500]
    hook_id, secret = await new_hook(
        gql, cast.admin_a, receiver, ["user.role_changed"], cast.tenant_a
    )
    await promote(gql, cast, cast.member_a)
    failed = await settled({"webhook_id": hook_id})
    assert (failed.status, failed.response_status) == (DeliveryStatus.PENDING, 500)
    assert failed.last_error == "The receiver answered 500."
    assert failed.next_attempt_at - datetime.now(UTC) <= timedelta(seconds=60)
    assert await deliver_due_webhooks(failed.next_attempt_at + timedelta(seconds=1)) == 1
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert second.verified(secret)["type"] == "user.role_changed"
    row = await WebhookDelivery.get(id=failed.id)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SUCCEEDED, 2, None)


async def test_a_redirect_is_not_followed(gql, cast, receiver):
    receiver.answers = [302]
    hook_id, _ = await new_hook(gql, cast.admin_a, receiver, ["user.role_changed"], cast.tenant_a)
    await promote(gql, cast, cast.member_a)
    row = await settled({"webhook_id": hook_id})
    assert (row.status, row.response_status) == (DeliveryStatus.PENDING, 302)
    assert [r.path for r in receiver.requests] == ["/hooks"]


async def test_a_receiver_that_does_not_answer_in_time_fails_the_attempt(gql, cast, receiver):
    receiver.hold = threading.Event()
    with with_settings(webhook_timeout_seconds=0.5):
        hook_id, _ = await new_hook(gql, cast.admin_a, receiver, ["user.role_changed"],
                                    cast.tenant_a)  # fmt: skip
        await promote(gql, cast, cast.member_a)
        row = await settled({"webhook_id": hook_id})
    receiver.hold.set()
    assert row.status is DeliveryStatus.PENDING
    assert row.last_error == "No answer within 0.5 s."
    assert row.response_status is None


async def test_a_delivery_failing_for_a_day_is_given_up(gql, cast, receiver):
    receiver.answers = [500, 500]
    hook_id, _ = await new_hook(gql, cast.admin_a, receiver, ["user.role_changed"], cast.tenant_a)
    await promote(gql, cast, cast.member_a)
    row = await settled({"webhook_id": hook_id})
    await deliver_due_webhooks(row.created_at + timedelta(days=1, seconds=1))
    row = await WebhookDelivery.get(id=row.id)
    assert (row.status, row.attempts, row.next_attempt_at) == (DeliveryStatus.FAILED, 2, None)
    assert (await Webhook.get(id=hook_id)).enabled is True


async def test_a_hooks_events_go_out_in_order_behind_a_failing_one(gql, cast, receiver):
    receiver.answers = [503]
    hook_id, secret = await new_hook(gql, cast.admin_a, receiver, ["user.updated"], cast.tenant_a)
    await promote(gql, cast, cast.member_a)
    first = await settled({"webhook_id": hook_id})
    answer = await gql(UPDATE_USER, {"input": {"id": cast.guest_a.id, "role": "MEMBER"}},
                       as_=cast.admin_a)  # fmt: skip
    assert answer.payload("updateUser")["__typename"] == "UserPayload"
    await asyncio.sleep(0.5)
    # The second event waits while the first is being retried.
    assert len(receiver.requests) == 1
    await deliver_due_webhooks(first.next_attempt_at + timedelta(seconds=1))
    targets = [r.verified(secret)["data"]["targetId"] for r in receiver.requests]
    assert targets == [cast.member_a.id, cast.member_a.id, cast.guest_a.id]


async def test_a_hook_failing_for_three_days_is_disabled_and_its_admins_are_mailed(
    gql, cast, receiver, smtp
):
    receiver.answers = [500] * 10
    hook_id, _ = await new_hook(gql, cast.admin_a, receiver, ["user.updated"], cast.tenant_a)
    await promote(gql, cast, cast.member_a)
    first = await settled({"webhook_id": hook_id})
    assert (await Webhook.get(id=hook_id)).failing_since is not None
    await deliver_due_webhooks(first.created_at + timedelta(days=2))
    assert (await Webhook.get(id=hook_id)).enabled is True
    answer = await gql(UPDATE_USER, {"input": {"id": cast.guest_a.id, "role": "MEMBER"}},
                       as_=cast.admin_a)  # fmt: skip
    assert answer.payload("updateUser")["__typename"] == "UserPayload"
    second = await settled({"webhook_id": hook_id, "created_at__gt": first.created_at})
    await deliver_due_webhooks(second.created_at + timedelta(days=3))
    hook = await Webhook.get(id=hook_id)
    assert hook.enabled is False
    assert "3 days" in hook.disabled_reason
    admins = await User.filter(tenant_id=cast.tenant_a.id, role=Role.ADMIN)
    mails = await smtp.wait_for(len(admins))
    assert sorted(m["To"] for m in mails) == sorted(admin.email for admin in admins)
    assert hook.url in mails[0].get_body().get_content()


async def test_a_success_forgets_earlier_failures(gql, cast, receiver):
    receiver.answers = [500]
    hook_id, _ = await new_hook(gql, cast.admin_a, receiver, ["user.updated"], cast.tenant_a)
    await promote(gql, cast, cast.member_a)
    first = await settled({"webhook_id": hook_id})
    await deliver_due_webhooks(first.next_attempt_at + timedelta(seconds=1))
    assert (await Webhook.get(id=hook_id)).failing_since is None


async def test_test_webhook_sends_a_test_event_to_that_hook_alone(gql, cast, receiver):
    hook_id, secret = await new_hook(gql, cast.admin_a, receiver, ["user.deleted"], cast.tenant_a)
    await new_hook(gql, cast.admin_a, receiver, ["user.deleted"], cast.tenant_a)
    sent = (await gql(TEST, {"id": hook_id}, as_=cast.admin_a)).payload("testWebhook")
    assert sent["delivery"]["event"] == "webhook.test"
    assert sent["delivery"]["status"] == "PENDING"
    (received,) = await receiver.wait_for(1)
    body = received.verified(secret)
    assert body["type"] == "webhook.test"
    assert body["data"]["targetId"] == hook_id
    await asyncio.sleep(0.3)
    assert len(receiver.requests) == 1


async def test_redelivering_sends_the_same_event_with_the_same_id(gql, cast, receiver):
    hook_id, secret = await new_hook(
        gql, cast.admin_a, receiver, ["user.role_changed"], cast.tenant_a
    )
    await promote(gql, cast, cast.member_a)
    delivered = await settled({"webhook_id": hook_id})
    again = (await gql(REDELIVER, {"id": str(delivered.id)}, as_=cast.admin_a)).payload(
        "redeliverWebhook"
    )
    assert again["delivery"]["messageId"] == delivered.message_id
    assert again["delivery"]["id"] != str(delivered.id)
    first, second = await receiver.wait_for(2)
    assert first.body == second.body
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    assert second.verified(secret)["type"] == "user.role_changed"


@pytest.mark.parametrize("role", ["guest", "member", "other_admin"])
async def test_only_the_hooks_admins_redeliver_or_test_it(gql, cast, receiver, role):
    hook_id, _ = await new_hook(gql, cast.admin_a, receiver, ["webhook.test"], cast.tenant_a)
    await gql(TEST, {"id": hook_id}, as_=cast.admin_a)
    delivered = await settled({"webhook_id": hook_id})
    person = cast.by_role(role)
    for query, variables in [(REDELIVER, {"id": str(delivered.id)}), (TEST, {"id": hook_id})]:
        answer = await gql(query, variables, as_=person)
        if role == "other_admin":
            assert next(iter(answer.ok().values()))["__typename"] == "NotFound"
        else:
            assert answer.codes == ["FORBIDDEN"]
    assert await WebhookDelivery.all().count() == 1


async def test_deliveries_are_listed_newest_first_a_page_at_a_time(gql, cast, receiver):
    hook_id, _ = await new_hook(gql, cast.admin_a, receiver, ["webhook.test"], cast.tenant_a)
    sent = [(await gql(TEST, {"id": hook_id}, as_=cast.admin_a)).payload("testWebhook")
            for _ in range(3)]  # fmt: skip
    await receiver.wait_for(3)
    page = (await gql(DELIVERIES, {"id": hook_id, "first": 2}, as_=cast.admin_a)).ok()
    listing = page["webhookDeliveries"]
    assert listing["totalCount"] == 3
    assert listing["pageInfo"]["hasNextPage"] is True
    ids = [edge["node"]["id"] for edge in listing["edges"]]
    after = listing["pageInfo"]["endCursor"]
    rest = (
        await gql(DELIVERIES, {"id": hook_id, "first": 2, "after": after}, as_=cast.admin_a)
    ).ok()
    ids += [edge["node"]["id"] for edge in rest["webhookDeliveries"]["edges"]]
    assert ids == [s["delivery"]["id"] for s in reversed(sent)]
    assert rest["webhookDeliveries"]["pageInfo"]["hasNextPage"] is False


async def test_another_tenants_admin_sees_no_deliveries(gql, cast, receiver):
    hook_id, _ = await new_hook(gql, cast.admin_a, receiver, ["webhook.test"], cast.tenant_a)
    await gql(TEST, {"id": hook_id}, as_=cast.admin_a)
    listing = (await gql(DELIVERIES, {"id": hook_id}, as_=cast.admin_b)).ok()["webhookDeliveries"]
    assert (listing["totalCount"], listing["edges"]) == (0, [])
    assert (await gql(DELIVERIES, {"id": hook_id}, as_=cast.member_a)).codes == ["FORBIDDEN"]


async def test_a_members_whole_stay_is_told_once_per_event(gql, cast, receiver, smtp):
    """Invited, joins, changes role, is deactivated, comes back, leaves: each event once."""
    events = ["invitation.sent", "invitation.accepted", "user.created", "user.role_changed",
              "user.deactivated", "user.reactivated", "user.deleted"]  # fmt: skip
    _, secret = await new_hook(gql, cast.admin_a, receiver, events, cast.tenant_a)
    invitation = await invite(gql, cast.admin_a, "nina")
    token = await mailed_token(smtp)
    joined = await gql(ACCEPT, {"input": {"token": token, "password": PASSWORD}})
    assert joined.payload("acceptInvitation")["__typename"] == "LoginSuccess"
    nina = await User.get(username="nina")
    for query, variables in [
        (UPDATE_USER, {"input": {"id": str(nina.id), "role": "GUEST"}}),
        (DEACTIVATE, {"id": str(nina.id)}),
        (REACTIVATE, {"id": str(nina.id)}),
        (DELETE_USER, {"id": str(nina.id)}),
    ]:
        answer = (await gql(query, variables, as_=cast.admin_a)).ok()
        assert next(iter(answer.values()))["__typename"] in {"UserPayload", "DeleteUserSuccess"}
    received = await receiver.wait_for(len(events))
    await asyncio.sleep(0.5)
    bodies = [r.verified(secret) for r in receiver.requests]
    assert [b["type"] for b in bodies] == events
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == len(events)
    assert bodies[0]["data"]["targetId"] == invitation["id"]
    assert {b["data"]["targetId"] for b in bodies[2:]} == {str(nina.id)}
    assert all(b["data"]["tenantId"] == str(cast.tenant_a.id) for b in bodies)
    assert token not in str([r.body for r in received])


async def test_a_tenant_hook_does_not_name_a_superuser_of_another_tenant_who_acted(
    gql, cast, make, receiver
):
    # The audit log shows such an actor to the tenant's admins by name only; so does the hook.
    outsider = await make.person(cast.tenant_b, username="root-b", role=Role.ADMIN, superuser=True)
    tenant_hook, _ = await new_hook(
        gql, cast.admin_a, receiver, ["user.role_changed"], cast.tenant_a
    )
    instance_hook, _ = await new_hook(gql, cast.superuser, receiver, ["user.role_changed"])
    changed = await gql(
        UPDATE_USER, {"input": {"id": cast.member_a.id, "role": "ADMIN"}}, as_=outsider
    )
    assert changed.payload("updateUser")["__typename"] == "UserPayload"
    await receiver.wait_for(2)
    by_hook = {
        row.webhook_id: json.loads(row.payload)["data"]["actorId"]  # type: ignore[attr-defined]
        for row in await WebhookDelivery.all()
    }
    assert by_hook == {uuid.UUID(tenant_hook): None, uuid.UUID(instance_hook): outsider.id}
