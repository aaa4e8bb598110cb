"""The raw limit (issue 17, part 6): the users pages with nothing but Starlette, the database
driver and orjson. Same session check, same rows, byte-identical JSON (the run compares the
bytes with the GraphQL answer): how fast this page can be served in Python on this machine.

- PostgreSQL: asyncpg, a pool of its own, one connection per request, prepared statements
  (asyncpg's statement cache); three statements (session, page with its tenant joined,
  projects); the connection goes back without a reset statement, as the app's do
  (models/pg_connection.py).
- SQLite: one aiosqlite connection (sqlite3 in a thread, as Tortoise has it), same statements.

It serves the benchmark's caller (a tenant admin): `ownedProjects` is answered when the caller
may see it (themselves, their tenant's admin, a superuser) and null otherwise, without the
error GraphQL adds then. Sessions: expiry and idle limit (the instance's), deactivated and
unverified users refused, `last_seen_at` touched at most once a minute, as
domain/auth/sessions.py does.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from config import get_config
from models.enums import Role
from models.pg_connection import PooledConnection

_TOUCH_INTERVAL = timedelta(minutes=1)
_ROLE_NAMES = {role.value: role.name for role in Role}

SESSION = (
    "SELECT s.id, s.expires_at, s.last_seen_at, u.id, u.tenant_id, u.role, u.superuser, "
    "u.deactivated_at, u.email_verified, t.session_idle_minutes "
    'FROM "session" s JOIN "user" u ON u.id = s.user_id JOIN "tenant" t ON t.id = u.tenant_id '
    "WHERE s.token_hash = {0}"
)
TOUCH = 'UPDATE "session" SET last_seen_at = {0} WHERE id = {1} AND last_seen_at <= {2}'
# A tenant's usernames are unique (one key each): no ID to break ties, so no sort on it either
# (models/plain_pages.py).
NESTED_PAGE = (
    'SELECT u.id, u.username, u.tenant_id, t.name FROM "user" u '
    'JOIN "tenant" t ON t.id = u.tenant_id WHERE u.tenant_id = {0} '
    "ORDER BY u.username_key LIMIT 101"
)
SCALARS_PAGE = (
    'SELECT u.id, u.username, u.email, u.role, u.created_at FROM "user" u '
    "WHERE u.tenant_id = {0} ORDER BY u.username_key LIMIT 101"
)
PROJECTS = (
    'SELECT p.id, p.name, p.owner_id FROM "project" p WHERE p.owner_id IN ({0}) '
    "ORDER BY p.name_key, p.id"
)


class Raw:
    """One database kind's statements; `run` answers a page's rows for a caller."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.postgres = not database_url.startswith("sqlite")
        self._pool: Any = None
        self._sqlite: Any = None
        # What the last request sent (the bench prints statements per request).
        self.last_statements = 0

    # --- the drivers ---------------------------------------------------------------------

    def _sql(self, template: str, count: int = 1) -> str:
        marks = [f"${i + 1}" if self.postgres else "?" for i in range(count)]
        return template.format(*marks)

    def _in_list(self, template: str, count: int) -> str:
        marks = [f"${i + 1}" if self.postgres else "?" for i in range(count)]
        return template.format(", ".join(marks))

    async def _connection(self) -> Any:
        if self.postgres:
            import asyncpg

            if self._pool is None:
                dsn = self.url.replace("postgres://", "postgresql://", 1)
                self._pool = await asyncpg.create_pool(
                    dsn, min_size=1, max_size=5, connection_class=PooledConnection
                )
            return self._pool.acquire()
        import aiosqlite

        if self._sqlite is None:
            self._sqlite = await aiosqlite.connect(self.url.removeprefix("sqlite://"))
        return _Borrowed(self._sqlite)

    @staticmethod
    async def _fetch(connection: Any, sql: str, *args: Any) -> list[Any]:
        if hasattr(connection, "fetch"):  # asyncpg
            return list(await connection.fetch(sql, *args))
        async with connection.execute(sql, args) as cursor:
            return list(await cursor.fetchall())

    # --- the page ------------------------------------------------------------------------

    async def page(self, request: Request, nested: bool) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        sent = 0
        async with await self._connection() as connection:
            caller = None
            if scheme.lower() == "bearer" and token:
                caller = await self._session(connection, token.strip())
                sent += 1 + (caller is not None and caller.pop("touched"))
            if caller is None or caller["role"] == Role.GUEST.value:
                return Response(b'{"data":null}', media_type="application/json")
            tenant = caller["tenant_id"]
            if nested:
                rows = await self._fetch(connection, self._sql(NESTED_PAGE), tenant)
                rows = rows[:100]
                owners = [row[0] for row in rows]
                projects = await self._fetch(
                    connection, self._in_list(PROJECTS, len(owners)), *owners
                ) if owners else []  # fmt: skip
                sent += 1 + bool(owners)
                body = self._nested(caller, rows, projects)
            else:
                rows = (await self._fetch(connection, self._sql(SCALARS_PAGE), tenant))[:100]
                sent += 1
                body = self._scalars(rows)
        self.last_statements = sent
        return Response(orjson.dumps(body), media_type="application/json")

    async def _session(self, connection: Any, token: str) -> dict[str, Any] | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        rows = await self._fetch(connection, self._sql(SESSION), digest)
        if not rows:
            return None
        (session_id, expires_at, last_seen_at, user_id, tenant_id, role, superuser,
         deactivated_at, verified, idle_minutes) = rows[0]  # fmt: skip
        expires_at, last_seen_at = _moment(expires_at), _moment(last_seen_at)
        instance = get_config().session_idle_minutes
        idle = timedelta(minutes=min(idle_minutes, instance) if idle_minutes else instance)
        now = datetime.now(UTC)
        if expires_at <= now or last_seen_at + idle <= now or deactivated_at is not None:
            return None
        if not verified:
            return None
        touched = now - last_seen_at >= _TOUCH_INTERVAL
        if touched:
            stamp: Any = now if self.postgres else now.isoformat(" ")
            limit: Any = now - _TOUCH_INTERVAL
            await self._fetch(connection, self._sql(TOUCH, 3), stamp, session_id,
                              limit if self.postgres else limit.isoformat(" "))  # fmt: skip
            if not self.postgres:
                await connection.commit()
        return {"id": user_id, "tenant_id": tenant_id, "role": role,
                "superuser": bool(superuser), "touched": touched}  # fmt: skip

    @staticmethod
    def _nested(caller: dict[str, Any], rows: list[Any], projects: list[Any]) -> Any:
        names = {row[0]: row[1] for row in rows}
        owned: dict[Any, list[Any]] = defaultdict(list)
        for project_id, name, owner_id in projects:
            owned[owner_id].append(
                {"id": str(project_id), "name": name, "owner": {"username": names[owner_id]}}
            )
        sees_all = caller["superuser"] or caller["role"] == Role.ADMIN.value
        return {"data": {"users": {"edges": [
            {"node": {
                "id": str(user_id),
                "username": username,
                "tenant": {"name": tenant_name},
                "ownedProjects": owned.get(user_id, [])
                if sees_all or user_id == caller["id"] else None,
            }}
            for user_id, username, _tenant_id, tenant_name in rows
        ]}}}  # fmt: skip

    @staticmethod
    def _scalars(rows: list[Any]) -> Any:
        return {"data": {"users": {"edges": [
            {"node": {"id": str(user_id), "username": username, "email": email,
                      "role": _ROLE_NAMES[role], "createdAt": _moment(created_at).isoformat()}}
            for user_id, username, email, role, created_at in rows
        ]}}}  # fmt: skip


class _Borrowed:
    """The shared SQLite connection as an `async with` block, like a pool's checkout."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def __aenter__(self) -> Any:
        return self.connection

    async def __aexit__(self, *exc: Any) -> None:
        return None


def _moment(value: Any) -> datetime:
    """A timestamp as asyncpg gives it (aware) or as SQLite holds it (ISO 8601 text)."""
    if isinstance(value, datetime):
        return value
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
