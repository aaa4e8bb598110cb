"""deleteTenant: the name repeated, everything in the tenant removed in one transaction, and
nothing left pointing into it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from tortoise import Tortoise, connections

from domain import audit
from domain.errors import ValidationFailed
from domain.scim_tokens import create_scim_token
from domain.tenants import delete_tenant
from domain.users import actor_of
from models import (
    AuditEvent,
    AuthMethod,
    DomainStatus,
    GroupMembership,
    GroupRoleMapping,
    Invitation,
    MailKind,
    OutboxMail,
    Project,
    Role,
    SamlAssertionSeen,
    SamlRequest,
    SamlSettings,
    ScimGroup,
    ScimToken,
    Session,
    SignupDomain,
    Tenant,
    User,
)
from tests.factories import Cast, Factory

DELETE = """
mutation($id: ID!, $confirm: String!) {
  deleteTenant(id: $id, confirmName: $confirm) {
    __typename
    ... on DeleteTenantSuccess { deletedTenantId }
    ... on Error { message }
    ... on ValidationError { field }
  }
}
"""
ME = "{ me { username } }"


async def delete(gql, person, tenant_id, confirm):
    return await gql(DELETE, {"id": str(tenant_id), "confirm": confirm}, as_=person)


async def populate(make: Factory, cast: Cast) -> dict[str, object]:
    """Every kind of row a tenant can hold, plus references into it from the other tenant."""
    b = cast.tenant_b
    later = datetime.now(UTC) + timedelta(days=1)
    bob = await make.person(b, username="bob", role=Role.ADMIN, superuser=True)
    project = await make.project(cast.member_b.user, "crashes")
    token, secret = await make.api_token(cast.member_b.user, "ci")
    await make.api_token(cast.admin_b.user, "deploy")
    invitation = await Invitation.create(
        tenant=b,
        username="newbie",
        username_key="newbie",
        email="newbie@globex.example.com",
        email_key="newbie@globex.example.com",
        role=Role.MEMBER,
        auth_method=AuthMethod.PASSWORD,
        invited_by=cast.admin_b.user,
        nonce="n" * 64,
        expires_at=later,
    )
    # bob, a superuser of B, invited someone into A: that invitation stays, senderless.
    cross = await Invitation.create(
        tenant=cast.tenant_a,
        username="friend",
        username_key="friend",
        email="friend@acme.example.com",
        email_key="friend@acme.example.com",
        role=Role.MEMBER,
        auth_method=AuthMethod.PASSWORD,
        invited_by=bob.user,
        nonce="m" * 64,
        expires_at=later,
    )
    await SignupDomain.create(
        status=DomainStatus.VERIFIED,
        tenant=b,
        domain="globex.example.com",
        default_role=Role.MEMBER,
    )
    await SamlSettings.create(
        tenant=b,
        idp_entity_id="https://idp.globex",
        idp_sso_url="https://idp.globex/sso",
        idp_certificate="-",
    )
    await SamlRequest.create(id=f"id-{uuid.uuid4()}", tenant=b, expires_at=later)
    await SamlAssertionSeen.create(id=f"a-{uuid.uuid4()}", tenant=b, expires_at=later)
    await create_scim_token(actor_of(cast.admin_b.user), str(b.id))
    staff = await ScimGroup.create(tenant=b, display_name="Staff", name_key="staff")
    await GroupMembership.create(group=staff, user=cast.member_b.user)
    await GroupRoleMapping.create(tenant=b, group="Staff", group_key="staff", role=Role.MEMBER)
    await OutboxMail.create(
        kind=MailKind.INVITATION,
        to_address="newbie@globex.example.com",
        subject="Join",
        text_body="...",
        invitation=invitation,
        next_attempt_at=later,
    )
    await OutboxMail.create(
        kind=MailKind.VERIFICATION,
        to_address="bert@globex.example.com",
        subject="Verify",
        text_body="...",
        user=cast.member_b.user,
        next_attempt_at=later,
    )
    # Events in B, and an event in A whose actor is B's superuser.
    await audit.record(
        actor_of(cast.admin_b.user),
        "user.updated",
        tenant_id=b.id,
        target_type="user",
        target_id=cast.member_b.user.id,
    )
    await audit.record(
        actor_of(bob.user),
        "invitation.sent",
        tenant_id=cast.tenant_a.id,
        target_type="invitation",
        target_id=cross.id,
    )
    return {
        "bob": bob,
        "project": project,
        "token": token,
        "secret": secret,
        "cross_invitation": cross,
    }


async def dangling_references() -> list[str]:
    """Every foreign key of every model whose value names a row that does not exist."""
    found = []
    for model in Tortoise.apps["models"].values():
        meta = model._meta
        for name in (*meta.fk_fields, *meta.o2o_fields):
            field = meta.fields_map[name]
            column = field.source_field or f"{name}_id"
            target = field.related_model
            key = target._meta.pk_attr
            values = await model.exclude(**{f"{name}_id": None}).values_list(
                f"{name}_id", flat=True
            )
            existing = set(
                await target.filter(**{f"{key}__in": list(set(values))}).values_list(key, flat=True)
            )
            missing = [v for v in values if v not in existing]
            if missing:
                found.append(f"{meta.db_table}.{column}: {missing}")
    return found


async def test_a_superuser_deletes_a_tenant_and_everything_in_it(gql, make, cast: Cast):
    await populate(make, cast)
    result = (await delete(gql, cast.superuser, cast.tenant_b.id, "globex")).payload("deleteTenant")
    assert result == {"__typename": "DeleteTenantSuccess", "deletedTenantId": str(cast.tenant_b.id)}
    b = cast.tenant_b.id
    assert not await Tenant.filter(id=b).exists()
    for model in (
        User,
        Invitation,
        SignupDomain,
        Project,
        SamlSettings,
        SamlRequest,
        SamlAssertionSeen,
        ScimToken,
        ScimGroup,
        GroupRoleMapping,
    ):
        assert await model.filter(tenant_id=b).count() == 0, model.__name__
    assert await GroupMembership.all().count() == 0
    from models import ApiToken

    assert await ApiToken.filter(tenant_id=b).count() == 0
    assert await OutboxMail.all().count() == 0
    assert await dangling_references() == []


async def test_deleting_a_tenant_leaves_the_other_tenants_untouched(gql, make, cast: Cast):
    refs = await populate(make, cast)
    await make.project(cast.member_a.user, "acme-project")
    before = await User.filter(tenant_id=cast.tenant_a.id).count()
    await delete(gql, cast.superuser, cast.tenant_b.id, "globex")
    assert await User.filter(tenant_id=cast.tenant_a.id).count() == before
    assert await Project.filter(tenant_id=cast.tenant_a.id).count() == 1
    cross = await Invitation.get(id=refs["cross_invitation"].id)  # type: ignore[attr-defined]
    assert cross.invited_by_id is None  # type: ignore[attr-defined]
    assert (await gql(ME, as_=cast.admin_a)).ok() == {"me": {"username": "alice"}}


async def test_the_removed_users_sessions_and_tokens_stop_working(gql, make, cast: Cast):
    refs = await populate(make, cast)
    await delete(gql, cast.superuser, cast.tenant_b.id, "globex")
    assert await Session.filter(user_id=cast.admin_b.user.id).count() == 0
    for bearer in (cast.admin_b.token, cast.member_b.token, refs["secret"]):
        result = await gql(ME, token=bearer)  # type: ignore[arg-type]
        assert result.body.get("data") in (None, {"me": None}), result.body


async def test_the_audit_trail_survives_without_pointing_into_the_removed_tenant(
    gql, make, cast: Cast
):
    await populate(make, cast)
    count = await AuditEvent.all().count()
    await delete(gql, cast.superuser, cast.tenant_b.id, "globex")
    assert await AuditEvent.all().count() == count + 1
    assert await AuditEvent.filter(tenant_id=cast.tenant_b.id).count() == 0
    event = await AuditEvent.get(action="tenant.deleted")
    assert event.target_type == "tenant" and event.target_id == str(cast.tenant_b.id)
    assert event.actor_id == cast.superuser.user.id  # type: ignore[attr-defined]
    assert event.changes["name"] == "globex"
    assert event.changes["users"] == 3
    # The names stay readable for the people who acted.
    assert await AuditEvent.filter(actor_name="bob", actor_id=None).count() == 1


@pytest.mark.parametrize("confirm", ["", "Globex", "globe", "acme"])
async def test_the_name_must_be_repeated_exactly(gql, make, cast: Cast, confirm: str):
    await populate(make, cast)
    result = (await delete(gql, cast.superuser, cast.tenant_b.id, confirm)).payload("deleteTenant")
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "confirmName"
    assert await User.filter(tenant_id=cast.tenant_b.id).count() == 3


async def test_the_tenant_that_holds_the_caller_cannot_be_deleted(gql, cast: Cast):
    result = (await delete(gql, cast.superuser, cast.tenant_a.id, "acme")).payload("deleteTenant")
    assert result["__typename"] == "ValidationError"
    assert result["field"] == "id"
    assert await Tenant.filter(id=cast.tenant_a.id).exists()


@pytest.mark.parametrize("tenant_id", [str(uuid.uuid4()), "not-an-id"])
async def test_an_unknown_tenant_is_not_found(gql, cast: Cast, tenant_id: str):
    result = (await delete(gql, cast.superuser, tenant_id, "globex")).payload("deleteTenant")
    assert result["__typename"] == "NotFound"


async def test_the_tenant_holding_the_last_superuser_cannot_be_deleted(make, cast: Cast):
    # A caller whose superuser bit was revoked after they were identified (a race): the
    # transaction's own count finds no superuser outside the tenant and refuses.
    caller = actor_of(cast.superuser.user)
    await User.filter(id=cast.superuser.user.id).update(superuser=False)
    await make.user(cast.tenant_b, username="last", role=Role.ADMIN, superuser=True)
    with pytest.raises(ValidationFailed) as refused:
        await delete_tenant(caller, cast.tenant_b.id, "globex")
    assert refused.value.field == "id"
    assert await Tenant.filter(id=cast.tenant_b.id).exists()


@pytest.mark.parametrize("role", ["guest", "member", "admin", "other_admin"])
async def test_only_superusers_may_delete_tenants(gql, cast: Cast, role: str):
    result = await delete(gql, cast.by_role(role), cast.tenant_b.id, "globex")
    assert result.codes == ["FORBIDDEN"]
    assert await Tenant.filter(id=cast.tenant_b.id).exists()


async def test_anonymous_callers_must_sign_in_to_delete_tenants(gql, cast: Cast):
    result = await delete(gql, None, cast.tenant_b.id, "globex")
    assert result.codes == ["UNAUTHENTICATED"]
    assert await Tenant.filter(id=cast.tenant_b.id).exists()


@pytest.mark.postgres
async def test_no_row_of_any_table_points_into_the_removed_tenant_on_postgresql(
    gql, make, cast: Cast
):
    """Ask PostgreSQL itself for every foreign key, then for rows naming the removed IDs in
    any key column of any table (audit_event.target_id is text, kept by design)."""
    await populate(make, cast)
    b = cast.tenant_b.id
    removed = {str(b)}
    for model in (User, Invitation, Project):
        removed |= {str(i) for i in await model.filter(tenant_id=b).values_list("id", flat=True)}
    result = await delete(gql, cast.superuser, b, "globex")
    assert result.payload("deleteTenant")["__typename"] == "DeleteTenantSuccess"
    db = connections.get("default")
    foreign_keys = await db.execute_query_dict(
        """
        SELECT kcu.table_name, kcu.column_name
        FROM information_schema.table_constraints tc
        JOIN information_schema.key_column_usage kcu
          ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema
        WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'
        """
    )
    assert len(foreign_keys) >= 14
    leftovers = {}
    for fk in foreign_keys:
        rows = await db.execute_query_dict(
            f'SELECT count(*) AS n FROM "{fk["table_name"]}" '
            f'WHERE "{fk["column_name"]}"::text = ANY($1::text[])',
            [list(removed)],
        )
        if rows[0]["n"]:
            leftovers[f"{fk['table_name']}.{fk['column_name']}"] = rows[0]["n"]
    assert leftovers == {}
    # Beyond the declared keys: any uuid or text column of any table, the trail's text aside.
    columns = await db.execute_query_dict(
        """
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type IN ('uuid', 'character varying', 'text')
          AND table_name NOT IN ('audit_event', 'tortoise_migrations')
        """
    )
    for column in columns:
        rows = await db.execute_query_dict(
            f'SELECT count(*) AS n FROM "{column["table_name"]}" '
            f'WHERE "{column["column_name"]}"::text = ANY($1::text[])',
            [list(removed)],
        )
        assert rows[0]["n"] == 0, column


@pytest.mark.postgres
async def test_projects_created_while_the_tenant_is_deleted_never_survive_it(gql, make, cast: Cast):
    """Creations racing the deletion either land before it (and go with the tenant) or find
    their owner gone; the deletion itself always succeeds."""
    import asyncio

    create = "mutation($n: String!) { createProject(name: $n) { __typename } }"

    async def creations():
        return [await gql(create, {"n": f"race-{i}"}, as_=cast.member_b) for i in range(8)]

    results = await asyncio.gather(
        creations(), delete(gql, cast.superuser, cast.tenant_b.id, "globex"), creations()
    )
    deletion = results[1].payload("deleteTenant")
    assert deletion["__typename"] == "DeleteTenantSuccess"
    assert await Project.filter(tenant_id=cast.tenant_b.id).count() == 0
    assert not await Tenant.filter(id=cast.tenant_b.id).exists()
    assert await dangling_references() == []
