"""Moving a tenant between instances: `tenantry export-tenant` writes it as one JSON document,
`tenantry import-tenant` loads that document into another instance.

What moves: the tenant and its settings, users (with their argon2 password hashes, which do
not depend on the secret key), invitations, sign-up domains, projects, API tokens (SHA-256
hashes of the secrets, so the tokens keep working), SAML settings, group-to-role mappings and
the tenant's audit events. Rows keep their ids.

What does not (`LEFT_OUT`), because it depends on the source instance's secret key or is not
the tenant's to carry: second factors (TOTP secrets are Fernet-encrypted under a key derived
from the secret key, recovery codes are keyed HMACs, passkeys go with them so no user arrives
with half their factors), sessions (everyone signs in again), the superuser bit (instance-wide
power is granted by the target's operators, not by a file), and per-instance state (outbox,
rate limits, SAML requests in flight). Links mailed before the move (invitations, resets,
verifications) are HMACs under the source's key: on an instance with another key they stop
working, and admins send invitations again.

An import is one transaction: a tenant whose name, id or verified sign-up domain is taken
here is refused with nothing written.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from tortoise.exceptions import BaseORMException, IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from domain import audit, validation
from domain.errors import ValidationFailed
from domain.locks import lock_instance
from models import (
    ApiToken,
    AuditEvent,
    GroupMembership,
    GroupRoleMapping,
    Invitation,
    MfaChallenge,
    OutboxMail,
    Passkey,
    PasskeyRegistration,
    Project,
    RecoveryCode,
    SamlAssertionSeen,
    SamlRequest,
    SamlSettings,
    ScimGroup,
    ScimToken,
    Session,
    SignupDomain,
    Tenant,
    TotpFactor,
    User,
    Webhook,
    WebhookDelivery,
)

FORMAT = "tenantry-tenant-export"
VERSION = 1
EXPORTER = "tenantry export-tenant"
IMPORTER = "tenantry import-tenant"

# Each section of the document, in the order an import inserts it (references first).
SECTIONS: dict[str, type[Model]] = {
    "tenant": Tenant,
    "users": User,
    "saml_settings": SamlSettings,
    "signup_domains": SignupDomain,
    "invitations": Invitation,
    "projects": Project,
    "api_tokens": ApiToken,
    "group_role_mappings": GroupRoleMapping,
    "audit_events": AuditEvent,
}

# Tables that refer to a tenant's rows but stay behind, and why. tests/cli/test_tenant_transfer.py
# fails when a model with references is in neither SECTIONS nor here.
NOT_MOVED: dict[type[Model], str] = {
    Session: "everyone signs in again",
    TotpFactor: "its secret is encrypted under the source's key",
    RecoveryCode: "keyed HMACs under the source's key",
    Passkey: "second factors move together or not at all: users enrol again",
    PasskeyRegistration: "a registration in flight",
    MfaChallenge: "a sign-in in flight",
    OutboxMail: "mail of the source instance's worker, sent or given up there",
    SamlRequest: "a SAML sign-in in flight",
    SamlAssertionSeen: "replay protection of the source instance's sign-ins",
    # Users keep their externalId and SCIM userName, so the identity provider, connected to
    # the target with a new token, finds them again and pushes its groups anew.
    ScimToken: "the identity provider is connected to the target with a token made there",
    ScimGroup: "the identity provider pushes its groups again to the target",
    GroupMembership: "goes with the groups: pushed again by the identity provider",
    Webhook: "its signing secret is encrypted under the source's key: admins add it again",
    WebhookDelivery: "deliveries of the source instance's worker, made or given up there",
}

# Columns of exported tables that stay behind, and why. tests/cli/test_tenant_transfer.py
# fails when a model gains a column that is neither exported nor listed here.
LEFT_OUT: dict[type[Model], dict[str, str]] = {
    User: {
        "superuser": "instance-wide power: granted by the target's operators",
        # A reset link in flight takes over an account: it does not travel; users ask again.
        "password_reset_nonce": "a password reset in flight: users ask for a new link",
        "password_reset_expires_at": "goes with password_reset_nonce",
    },
}

# References to users that may point outside the tenant (a superuser of another tenant who
# invited someone or acted): kept when the user moves too, else cleared (in the file, and
# again on import).
_OPTIONAL_USER_REFERENCES: dict[type[Model], str] = {
    Invitation: "invited_by_id",
    AuditEvent: "actor_id",
}


class ImportRefused(Exception):
    """The document cannot be imported here; nothing was written."""


def columns(model: type[Model]) -> list[str]:
    """The model's columns as attribute names (`tenant_id` for the tenant reference)."""
    meta = model._meta
    names = [*meta.fields_db_projection]
    names += [f"{name}_id" for name in sorted(meta.fk_fields | meta.o2o_fields)]
    return list(dict.fromkeys(names))


def exported_columns(model: type[Model]) -> list[str]:
    left_out = LEFT_OUT.get(model, {})
    return [name for name in columns(model) if name not in left_out]


async def export_tenant(name: str) -> dict[str, Any]:
    """The tenant named `name` as a JSON-ready document; LookupError when there is none."""
    tenant = await Tenant.get_or_none(name_key=validation.key(name))
    if tenant is None:
        raise LookupError(f"no tenant named {name!r}")
    async with in_transaction() as connection:
        # One snapshot for every section, while the servers keep writing: SQLite's transaction
        # is one; PostgreSQL's is at REPEATABLE READ (its first statement must say so).
        if connection.capabilities.dialect == "postgres":
            await connection.execute_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        document: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": datetime.now(UTC).isoformat(),
            "left_out": {
                "second factors": "TOTP secrets are encrypted under the source's key; users "
                "enrol again",
                "sessions": "users sign in again",
                "superuser": LEFT_OUT[User]["superuser"],
                "password resets": LEFT_OUT[User]["password_reset_nonce"],
            },
        }
        for section, model in SECTIONS.items():
            query = (
                model.filter(id=tenant.id) if model is Tenant else model.filter(tenant_id=tenant.id)
            )
            rows = (
                await query.using_db(connection)
                .order_by(*_order(model))
                .values(*exported_columns(model))
            )
            plain = [{key: _plain(value) for key, value in row.items()} for row in rows]
            document[section] = plain[0] if model is Tenant else plain
        _clear_outside_references(document, {user["id"] for user in document["users"]})
        await audit.record(
            None,
            "tenant.exported",
            tenant_id=tenant.id,
            target_type="tenant",
            target_id=tenant.id,
            actor_name=EXPORTER,
            changes=_counts(document),
        )
    return document


async def import_tenant(document: Mapping[str, Any]) -> Tenant:
    """Load an exported tenant; ImportRefused (nothing written) on a clash or a bad file."""
    if document.get("format") != FORMAT or document.get("version") != VERSION:
        raise ImportRefused(f"not a {FORMAT} document of version {VERSION}")
    try:
        sections = {section: _rows(document, section, model) for section, model in SECTIONS.items()}
    except (KeyError, TypeError, ValueError, BaseORMException) as exc:
        raise ImportRefused(f"the document is malformed: {_one_line(exc)}") from None
    [tenant] = sections["tenant"]
    _clear_outside_references(sections, {row["id"] for row in sections["users"]})
    _refuse_rows_of_others(tenant["id"], sections)
    try:
        async with in_transaction() as connection:
            # Imports and tenant creations queue here: the name check below stays true
            # until this transaction commits.
            await lock_instance(connection)
            await _refuse_clashes(connection, tenant, sections)
            for section, model in SECTIONS.items():
                objects = [model(**row) for row in sections[section]]
                if objects:
                    await model.bulk_create(objects, batch_size=500, using_db=connection)
                    await _keep_auto_now_values(connection, model, sections[section])
            await audit.record(
                None,
                "tenant.imported",
                tenant_id=tenant["id"],
                target_type="tenant",
                target_id=tenant["id"],
                actor_name=IMPORTER,
                changes=_counts(document),
            )
    except IntegrityError as exc:
        raise ImportRefused(f"the tenant clashes with data here: {_one_line(exc)}") from None
    except BaseORMException as exc:  # a value the columns refuse (too long, say)
        raise ImportRefused(f"the document is malformed: {_one_line(exc)}") from None
    return await Tenant.get(id=tenant["id"])


async def _refuse_clashes(
    connection: Any, tenant: dict[str, Any], sections: dict[str, list[dict[str, Any]]]
) -> None:
    name = tenant["name"]
    try:
        valid = validation.tenant_name(name) == name
    except ValidationFailed:
        valid = False
    if not valid or tenant["name_key"] != validation.key(name):
        raise ImportRefused(f"the tenant's name {name!r} is not a valid tenant name")
    if await Tenant.filter(name_key=validation.key(name)).using_db(connection).exists():
        raise ImportRefused(f"a tenant named {name!r} exists here")
    if await Tenant.filter(id=tenant["id"]).using_db(connection).exists():
        raise ImportRefused(f"the tenant's id {tenant['id']} exists here (under another name)")
    for section, model in SECTIONS.items():
        ids = [row["id"] for row in sections[section]]
        if ids and await model.filter(id__in=ids).using_db(connection).exists():
            raise ImportRefused(f"some {section.replace('_', ' ')} of the file exist here")
    verified = [d["verified_domain"] for d in sections["signup_domains"] if d["verified_domain"]]
    taken = await SignupDomain.filter(verified_domain__in=verified).using_db(connection).first()
    if taken is not None:
        raise ImportRefused(f"the sign-up domain {taken.domain} is verified by a tenant here")
    hashes = [t["token_hash"] for t in sections["api_tokens"]]
    if hashes and await ApiToken.filter(token_hash__in=hashes).using_db(connection).exists():
        raise ImportRefused("some API tokens of the file exist here")


async def _keep_auto_now_values(
    connection: Any, model: type[Model], rows: list[dict[str, Any]]
) -> None:
    # An insert stamps `auto_now` columns (updated_at) with the present: put back the file's.
    stamped = [
        name
        for name, field in model._meta.fields_map.items()
        if getattr(field, "auto_now", False) and name in exported_columns(model)
    ]
    for row in rows:
        values = {name: row[name] for name in stamped if row.get(name) is not None}
        if values:
            await model.filter(id=row["id"]).using_db(connection).update(**values)


def _clear_outside_references(sections: Mapping[str, Any], user_ids: set[Any]) -> None:
    # The file names only users it carries; actor_name keeps who acted in the trail.
    for model, reference in _OPTIONAL_USER_REFERENCES.items():
        section = next(name for name, m in SECTIONS.items() if m is model)
        for row in sections[section]:
            if row.get(reference) not in user_ids:
                row[reference] = None


def _refuse_rows_of_others(tenant_id: uuid.UUID, sections: dict[str, list[dict[str, Any]]]) -> None:
    # Every row must be the tenant's, and what it owns the tenant's users': a file must not
    # add anything to another tenant of this instance.
    user_ids = {row["id"] for row in sections["users"]}
    for section, model in SECTIONS.items():
        if model is Tenant:
            continue
        kind = section.replace("_", " ")
        for row in sections[section]:
            if row["tenant_id"] != tenant_id:
                raise ImportRefused(f"the file holds {kind} of another tenant")
            if "owner_id" in row and row["owner_id"] not in user_ids:
                raise ImportRefused(f"the file holds {kind} owned outside the tenant")


def _rows(document: Mapping[str, Any], section: str, model: type[Model]) -> list[dict[str, Any]]:
    raw = document[section]
    rows = [raw] if model is Tenant else list(raw)
    allowed = exported_columns(model)
    fields = model._meta.fields_map
    parsed = []
    for row in rows:
        if not isinstance(row, Mapping):
            raise TypeError(f"{section} holds something other than objects")
        if set(row) != set(allowed):
            unknown, missing = sorted(set(row) - set(allowed)), sorted(set(allowed) - set(row))
            raise ValueError(f"{section}: unknown columns {unknown}, missing columns {missing}")
        values = {}
        for key, value in row.items():
            field = fields[key] if key in fields else None
            if value is None or field is None:
                # `tenant_id` and the like: UUIDs as text, which Tortoise takes as they are.
                values[key] = uuid.UUID(value) if isinstance(value, str) else value
            else:
                values[key] = field.to_python_value(value)
        if values.get("id") is None or (model is not Tenant and values.get("tenant_id") is None):
            raise ValueError(f"{section}: a row without its id or its tenant's")
        parsed.append(values)
    return parsed


def _order(model: type[Model]) -> list[str]:
    names = columns(model)
    return [name for name in ("created_at", "at", "id") if name in names]


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _counts(document: Mapping[str, Any]) -> dict[str, int]:
    return {
        section: len(document[section])
        for section in SECTIONS
        if section != "tenant" and isinstance(document.get(section), list)
    }


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__
