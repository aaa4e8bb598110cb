"""Every permission class's pure check (`permits`, which root plans ask: schema/root_plans.py)
decides as its `has_permission` does, for every kind of caller: True exactly where
`has_permission` lets the caller through, False where it raises."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from models.enums import Role
from permissions import graphql as can
from permissions.rules import Actor


def _permission_classes() -> list[type[Any]]:
    found, pending = [], [can._Guard]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if hasattr(cls, "permits") and hasattr(cls, "op"):
            found.append(cls)
    return sorted(set(found), key=lambda cls: cls.__name__)


def _actor(role: Role, **kinds: bool) -> Actor:
    return Actor(user_id=uuid.uuid4(), tenant_id=uuid.uuid4(), role=role,
                 superuser=kinds.pop("superuser", False), **kinds)  # fmt: skip


CALLERS = {
    "anonymous": None,
    **{role.value: _actor(role) for role in Role},
    "superuser": _actor(Role.ADMIN, superuser=True),
    **{f"{role.value} by API token": _actor(role, via_api_token=True) for role in Role},
    "enrollment challenge": _actor(Role.MEMBER, enrollment_only=True),
}


async def _lets_through(permission: Any, actor: Actor | None) -> bool:
    info = SimpleNamespace(context=SimpleNamespace(actor=actor))
    try:
        return await permission.has_permission(None, info) is True
    except (can.Unauthenticated, can.Forbidden):
        return False


def test_the_checked_classes_are_the_policy_rows() -> None:
    assert len(_permission_classes()) > 30


@pytest.mark.parametrize("cls", _permission_classes(), ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("caller", list(CALLERS))
async def test_the_pure_check_decides_as_has_permission(cls: type[Any], caller: str) -> None:
    permission, actor = cls(), CALLERS[caller]

    assert permission.permits(SimpleNamespace(actor=actor)) is await _lets_through(
        permission, actor
    )
