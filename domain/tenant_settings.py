"""A tenant's settings: whether it requires a second factor, which sign-in methods its new
users may have, how long its invitations and idle sessions last, its SAML groups attribute.

They are columns of the tenant's row (models/tenants.py); unset lifetimes follow the instance.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from config import get_config
from domain import audit, validation
from domain.errors import NotFound, ValidationFailed, require
from models import AuthMethod, Tenant
from permissions.rules import Actor, Op, reaches

MAX_INVITATION_TTL_HOURS = 720
_GROUPS_ATTRIBUTE_LENGTH: int = Tenant._meta.fields_map["saml_groups_attribute"].max_length  # type: ignore[attr-defined]
_METHOD_ORDER = tuple(AuthMethod)


@dataclass(frozen=True)
class TenantSettingsView:
    tenant_id: uuid.UUID
    require_mfa: bool
    invitation_ttl_hours: int
    session_idle_minutes: int | None
    allowed_auth_methods: tuple[AuthMethod, ...]
    saml_groups_attribute: str | None


def allowed_methods(tenant: Tenant) -> tuple[AuthMethod, ...]:
    stored = {part for part in tenant.allowed_auth_methods.split(",") if part}
    return tuple(method for method in _METHOD_ORDER if method.value in stored)


def invitation_ttl(tenant: Tenant) -> timedelta:
    return timedelta(hours=tenant.invitation_ttl_hours or get_config().invitation_ttl_hours)


def session_idle_limit(tenant: Tenant) -> timedelta:
    """The tenant's idle limit, never above the instance's (which may have been lowered since)."""
    instance = get_config().session_idle_minutes
    own = tenant.session_idle_minutes
    return timedelta(minutes=min(own, instance) if own else instance)


def require_method_allowed(tenant: Tenant, method: AuthMethod, field: str) -> None:
    """New accounts (invitations, sign-up domains, sign-ups) only of the tenant's methods."""
    if method not in allowed_methods(tenant):
        allowed = ", ".join(m.name for m in allowed_methods(tenant))
        raise ValidationFailed(
            f"This tenant admits new accounts of these sign-in methods only: {allowed}.", field
        )


def view(tenant: Tenant) -> TenantSettingsView:
    return TenantSettingsView(
        tenant_id=tenant.id,
        require_mfa=tenant.require_mfa,
        invitation_ttl_hours=tenant.invitation_ttl_hours or get_config().invitation_ttl_hours,
        session_idle_minutes=tenant.session_idle_minutes,
        allowed_auth_methods=allowed_methods(tenant),
        saml_groups_attribute=tenant.saml_groups_attribute,
    )


async def _tenant_in_reach(actor: Actor, op: Op, tenant_id: str | uuid.UUID | None) -> Tenant:
    """The caller's tenant when none is named; missing and out of reach alike."""
    require(actor, op)
    wanted = actor.tenant_id if tenant_id is None else validation.object_id(tenant_id)
    tenant = await Tenant.get_or_none(id=wanted)
    if tenant is None or not reaches(actor, op, tenant_id=tenant.id):
        raise NotFound("No such tenant.")
    return tenant


async def tenant_settings(
    actor: Actor, tenant_id: str | uuid.UUID | None = None
) -> TenantSettingsView:
    return view(await _tenant_in_reach(actor, Op.VIEW_TENANT_SETTINGS, tenant_id))


def _checked(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Input names (the API's spelling) -> column values; ValidationFailed names the field."""
    columns: dict[str, Any] = {}
    for name, value in changes.items():
        match name:
            case "requireMfa":
                if value is None:
                    raise ValidationFailed("requireMfa is true or false.", name)
                columns["require_mfa"] = bool(value)
            case "invitationTtlHours":
                if value is not None and not 1 <= value <= MAX_INVITATION_TTL_HOURS:
                    raise ValidationFailed(
                        f"Invitations last 1 to {MAX_INVITATION_TTL_HOURS} hours.", name
                    )
                columns["invitation_ttl_hours"] = value
            case "sessionIdleMinutes":
                limit = get_config().session_idle_minutes
                if value is not None and not 1 <= value <= limit:
                    raise ValidationFailed(
                        f"Idle sessions end after 1 to {limit} minutes (the instance's limit).",
                        name,
                    )
                columns["session_idle_minutes"] = value
            case "allowedAuthMethods":
                if not value:
                    raise ValidationFailed("Allow at least one sign-in method.", name)
                columns["allowed_auth_methods"] = _stored_methods(value)
            case "samlGroupsAttribute":
                columns["saml_groups_attribute"] = _groups_attribute(value)
            case _:
                raise ValidationFailed("Unknown setting.", name)
    return columns


def _stored_methods(methods: Iterable[AuthMethod]) -> str:
    given = set(methods)
    return ",".join(method.value for method in _METHOD_ORDER if method in given)


def _groups_attribute(value: str | None) -> str | None:
    if value is None:
        return None
    value = validation.plain_text(value, "samlGroupsAttribute").strip()
    if len(value) > _GROUPS_ATTRIBUTE_LENGTH:
        raise ValidationFailed(
            f"An attribute name has at most {_GROUPS_ATTRIBUTE_LENGTH} characters.",
            "samlGroupsAttribute",
        )
    return value or None


async def update_tenant_settings(
    actor: Actor, tenant_id: str | uuid.UUID, changes: Mapping[str, Any]
) -> TenantSettingsView:
    """Apply the given settings (absent ones stay as they are); audited with what changed."""
    tenant = await _tenant_in_reach(actor, Op.CONFIGURE_TENANT, tenant_id)
    columns = _checked(changes)
    changed = {
        column: value for column, value in columns.items() if getattr(tenant, column) != value
    }
    if changed:
        await Tenant.filter(id=tenant.id).update(**changed)
        for column, value in changed.items():
            setattr(tenant, column, value)
        await audit.record(
            actor,
            "tenant.settings_updated",
            tenant_id=tenant.id,
            target_type="tenant",
            target_id=tenant.id,
            changes={
                _API_NAMES[column]: _audited(column, value) for column, value in changed.items()
            },
        )
    return view(tenant)


def _audited(column: str, value: Any) -> Any:
    return value.split(",") if column == "allowed_auth_methods" else value


_API_NAMES = {
    "require_mfa": "requireMfa",
    "invitation_ttl_hours": "invitationTtlHours",
    "session_idle_minutes": "sessionIdleMinutes",
    "allowed_auth_methods": "allowedAuthMethods",
    "saml_groups_attribute": "samlGroupsAttribute",
}
