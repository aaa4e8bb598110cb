"""Serialising the checks that guard invariants (last admin, last superuser, ownership).

Call inside `in_transaction()`. On PostgreSQL the lock is a row lock (tenant) or an advisory
lock (instance) held until commit. SQLite runs one transaction at a time per process already
(Tortoise holds a lock on its single connection), so there is nothing more to take.
"""

from __future__ import annotations

import uuid

from tortoise.backends.base.client import BaseDBAsyncClient

from models import Tenant

_INSTANCE_LOCK_KEY = 0x7E4A47


def _is_postgres(connection: BaseDBAsyncClient) -> bool:
    return connection.capabilities.dialect == "postgres"


async def lock_tenant(connection: BaseDBAsyncClient, tenant_id: uuid.UUID) -> None:
    if _is_postgres(connection):
        # NO KEY UPDATE: a mutex among lock_tenant callers that still lets other transactions
        # insert rows referencing the tenant (audit events, projects), which would otherwise
        # queue behind it and deadlock against row locks on users.
        await (
            Tenant.filter(id=tenant_id).select_for_update(no_key=True).using_db(connection).first()
        )


async def lock_instance(connection: BaseDBAsyncClient) -> None:
    if _is_postgres(connection):
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [_INSTANCE_LOCK_KEY])
