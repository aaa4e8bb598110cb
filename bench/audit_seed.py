"""Many audit events at once, written by PostgreSQL itself (generate_series): the bench (a
million) and the query plan test (tests/audit/test_audit_query_plan.py) need a table the size
where the planner's choices matter."""

from __future__ import annotations

import uuid

from tortoise import connections

ACTIONS = [
    "user.created", "user.updated", "user.role_changed", "user.deactivated", "user.deleted",
    "invitation.sent", "invitation.accepted", "project.created", "project.deleted",
    "api_token.created", "ownership.transferred", "signup.verified",
]  # fmt: skip


async def insert_events(
    count: int, tenant_ids: list[uuid.UUID], actor_ids: list[uuid.UUID], *, seconds_apart: int = 31
) -> None:
    """`count` events spread evenly over the tenants, and at random (a hash of the row's
    number, so every run writes the same) over the actors, the targets (users) and the
    actions, one every `seconds_apart` seconds back from now; then ANALYZE, so the planner
    knows the table's size."""
    tenants = "ARRAY[" + ",".join(f"'{t}'::uuid" for t in tenant_ids) + "]"
    actors = "ARRAY[" + ",".join(f"'{a}'::uuid" for a in actor_ids) + "]"
    actions = "ARRAY[" + ",".join(f"'{a}'" for a in ACTIONS) + "]"
    connection = connections.get("default")
    await connection.execute_script(f"""
        INSERT INTO audit_event (id, tenant_id, actor_id, actor_name, action, target_type,
                                 target_id, changes, at, client_address, user_agent, request_id)
        SELECT gen_random_uuid(),
               ({tenants})[1 + n % {len(tenant_ids)}],
               ({actors})[1 + abs(hashtext(n || 'actor')) % {len(actor_ids)}],
               'someone',
               ({actions})[1 + abs(hashtext(n || 'action')) % {len(ACTIONS)}],
               'user',
               (({actors})[1 + abs(hashtext(n || 'target')) % {len(actor_ids)}])::text,
               '{{"role": "member"}}',
               now() - n * interval '{seconds_apart} seconds',
               '203.0.113.' || (n % 250),
               'Mozilla/5.0 (bench)',
               md5(n::text)
        FROM generate_series(1, {count}) AS n;
        ANALYZE audit_event;
    """)


async def seed_audit(events: int) -> dict[str, str]:
    """Beside bench/seed.py's tenant of 1,000 users: 19 more tenants, a superuser, and
    `events` audit events spread over the 20 tenants; the IDs and tokens the queries name."""
    from bench.seed import TENANT
    from domain.auth.sessions import ClientInfo, start_session
    from domain.validation import key
    from models import Role, Tenant, User

    bench_tenant = await Tenant.get(name=TENANT)
    others = [
        await Tenant.create(name=f"other{i:02d}", name_key=f"other{i:02d}") for i in range(19)
    ]
    operator = await User.create(
        tenant=others[0], username="operator", username_key=key("operator"),
        email="operator@bench.example.com", email_key="operator@bench.example.com",
        role=Role.ADMIN, superuser=True, password_hash="!",
    )  # fmt: skip
    users = await User.filter(tenant=bench_tenant).order_by("username_key").limit(200)
    await insert_events(events, [bench_tenant.id, *(t.id for t in others)], [u.id for u in users])
    return {
        "superuser_token": await start_session(operator, ClientInfo()),
        "tenant_id": str(bench_tenant.id),
        "actor_id": str(users[7].id),
        "target_id": str(users[31].id),
    }
