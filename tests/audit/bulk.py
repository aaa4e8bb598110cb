"""Many audit events at once, written by PostgreSQL itself (generate_series): the query plan
test and the bench need a table the size where the planner's choices matter."""

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
    """`count` events spread evenly over the tenants, the actors (as actors and as targets of
    type `user`) and the actions, one every `seconds_apart` seconds back from now; then
    ANALYZE, so the planner knows the table's size."""
    tenants = "ARRAY[" + ",".join(f"'{t}'::uuid" for t in tenant_ids) + "]"
    actors = "ARRAY[" + ",".join(f"'{a}'::uuid" for a in actor_ids) + "]"
    actions = "ARRAY[" + ",".join(f"'{a}'" for a in ACTIONS) + "]"
    connection = connections.get("default")
    await connection.execute_script(f"""
        INSERT INTO audit_event (id, tenant_id, actor_id, actor_name, action, target_type,
                                 target_id, changes, at, client_address, user_agent, request_id)
        SELECT gen_random_uuid(),
               ({tenants})[1 + n % {len(tenant_ids)}],
               ({actors})[1 + (n * 7) % {len(actor_ids)}],
               'someone',
               ({actions})[1 + (n * 13) % {len(ACTIONS)}],
               'user',
               (({actors})[1 + (n * 31) % {len(actor_ids)}])::text,
               '{{"role": "member"}}',
               now() - n * interval '{seconds_apart} seconds',
               '203.0.113.' || (n % 250),
               'Mozilla/5.0 (bench)',
               md5(n::text)
        FROM generate_series(1, {count}) AS n;
        ANALYZE audit_event;
    """)
