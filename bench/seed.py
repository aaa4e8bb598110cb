"""A tenant of 1,000 users, each owning projects and a token, written with bulk_create.

One argon2 hash serves every user: hashing 1,000 passwords would take longer than the runs.
"""

from __future__ import annotations

import hashlib

from tortoise import connections

from domain.auth.passwords import hashing
from domain.auth.sessions import ClientInfo, start_session
from domain.validation import key
from models import ApiToken, AuthMethod, Project, Role, Tenant, User
from models.plain_rows import is_postgres

USERS = 1000
PROJECTS_PER_USER = 2
PASSWORD = "bench password 1234"
TENANT = "benchco"


async def seed() -> dict[str, str]:
    tenant = await Tenant.create(name=TENANT, name_key=key(TENANT))
    password_hash = await hashing().hash(PASSWORD)
    users = [
        User(
            tenant=tenant,
            username=f"user{i:04d}",
            username_key=f"user{i:04d}",
            email=f"user{i:04d}@bench.example.com",
            email_key=f"user{i:04d}@bench.example.com",
            role=Role.ADMIN if i == 0 else Role.MEMBER,
            auth_method=AuthMethod.PASSWORD,
            password_hash=password_hash,
        )
        for i in range(USERS)
    ]
    await User.bulk_create(users, batch_size=500)
    users = await User.filter(tenant=tenant).order_by("username_key")
    projects = [
        Project(tenant=tenant, owner=user, name=f"{user.username}-p{j}",
                name_key=f"{user.username}-p{j}")
        for user in users for j in range(PROJECTS_PER_USER)
    ]  # fmt: skip
    await Project.bulk_create(projects, batch_size=500)
    tokens = [
        ApiToken(tenant=tenant, owner=user, name="ci", prefix=f"tnt_{i:04d}",
                 token_hash=hashlib.sha256(f"bench-token-{i}".encode()).hexdigest())
        for i, user in enumerate(users)
    ]  # fmt: skip
    await ApiToken.bulk_create(tokens, batch_size=500)
    await _gather_statistics()
    admin = users[0]
    return {
        "admin_token": await start_session(admin, ClientInfo()),
        "member_token": await start_session(users[1], ClientInfo()),
        "tenant": TENANT,
        "login_username": users[2].username,
        "password": PASSWORD,
    }


async def _gather_statistics() -> None:
    """PostgreSQL's autovacuum analyses a table a minute or so after a bulk load: a server in use
    has statistics. Without them the planner took the seeded tenant for one row and sorted all
    1,000 users for every page (1.9 ms a page instead of 0.17 ms), which the Tenantry server, the
    raw limit and PostgreSQL's share of the machine all paid until autovacuum came round in the
    middle of a run. SQLite keeps no statistics unless asked, and a Tenantry database never asks."""
    if is_postgres(User):
        await connections.get("default").execute_script("ANALYZE")
