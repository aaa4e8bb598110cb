"""The contract's row for deactivateUser and reactivateUser, over HTTP, for every kind of
caller: admins their tenant but no superuser, superusers anyone, nobody else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models import User
from tests.deactivation.queries import DEACTIVATE, REACTIVATE
from tests.permissions.test_users_api import Caller, ids, person


@pytest.mark.parametrize(
    ("caller", "code"),
    [
        (Caller.ANONYMOUS, "UNAUTHENTICATED"),
        (Caller.GUEST, "FORBIDDEN"),
        (Caller.MEMBER, "FORBIDDEN"),
    ],
    ids=ids,
)
async def test_callers_below_admin_deactivate_and_reactivate_nobody(gql, cast, make, caller, code):
    who = person(cast, caller)
    parked = await make.user(cast.tenant_a, username="parked")
    await User.filter(id=parked.id).update(deactivated_at=datetime.now(UTC))
    for target in [cast.admin_a.id, cast.member_b.id, cast.guest_a.id, who and who.id]:
        assert (await gql(DEACTIVATE, {"id": target or cast.member_a.id}, as_=who)).codes == [code]
    assert (await gql(REACTIVATE, {"id": str(parked.id)}, as_=who)).codes == [code]
    assert await User.filter(deactivated_at__isnull=False).count() == 1


# (caller, target) -> the answer: "yes", a union member, or an error code.
REACH = [
    (Caller.ADMIN, "member_a", "yes"),
    (Caller.ADMIN, "guest_a", "yes"),
    (Caller.ADMIN, "superuser", "FORBIDDEN"),
    (Caller.ADMIN, "member_b", "NotFound"),
    (Caller.OTHER_ADMIN, "member_b", "yes"),
    (Caller.OTHER_ADMIN, "member_a", "NotFound"),
    (Caller.OTHER_ADMIN, "superuser", "NotFound"),
    (Caller.SUPERUSER, "member_a", "yes"),
    (Caller.SUPERUSER, "member_b", "yes"),
    (Caller.SUPERUSER, "admin_b", "LastAdmin"),  # globex's only admin
    (Caller.SUPERUSER, "admin_a", "yes"),  # acme keeps root, an admin too
]


def reach_id(case: tuple[Caller, str, str]) -> str:
    return f"{case[0].value}-on-{case[1]}-{case[2]}"


def answer(result, field: str) -> str:
    if result.errors:
        return result.codes[0]
    payload = result.data[field]
    return "yes" if payload["__typename"] == "UserPayload" else payload["__typename"]


@pytest.mark.parametrize("case", REACH, ids=reach_id)
async def test_deactivation_reaches_what_the_contract_says(gql, cast, case):
    caller, target_name, expected = case
    target = getattr(cast, target_name)
    result = await gql(DEACTIVATE, {"id": target.id}, as_=person(cast, caller))
    assert answer(result, "deactivateUser") == expected
    stored = await User.get(id=target.user.id)
    assert (stored.deactivated_at is not None) is (expected == "yes")


@pytest.mark.parametrize("case", REACH, ids=reach_id)
async def test_reactivation_reaches_what_the_contract_says(gql, cast, case):
    caller, target_name, expected = case
    target = getattr(cast, target_name)
    await User.filter(id=target.user.id).update(deactivated_at=datetime.now(UTC))
    result = await gql(REACTIVATE, {"id": target.id}, as_=person(cast, caller))
    # Reactivation never removes anyone, so no LastAdmin.
    expected = "yes" if expected == "LastAdmin" else expected
    assert answer(result, "reactivateUser") == expected
    stored = await User.get(id=target.user.id)
    assert (stored.deactivated_at is None) is (expected == "yes")


@pytest.mark.parametrize("caller", [Caller.ADMIN, Caller.SUPERUSER], ids=ids)
async def test_an_unknown_id_is_not_found(gql, cast, caller):
    who = person(cast, caller)
    for bad in ["not-an-id", "00000000-0000-0000-0000-000000000000"]:
        result = await gql(DEACTIVATE, {"id": bad}, as_=who)
        assert result.payload("deactivateUser")["__typename"] == "NotFound"
        result = await gql(REACTIVATE, {"id": bad}, as_=who)
        assert result.payload("reactivateUser")["__typename"] == "NotFound"
