"""The test bed: a real database (SQLite file, or PostgreSQL with --db=postgres), the real
ASGI app over HTTP, and a cast of users in two tenants."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from tortoise import Tortoise, connections

from config import Config
from domain.ratelimit import limiter
from models.db import migrate
from models.sqlite import database_path
from tests import secrets_seen
from tests.factories import DEFAULT_PASSWORD, Cast, Factory
from tests.graphql_client import GraphQLClient
from tests.log_lines import log_lines  # noqa: F401 - a fixture for every test
from tests.other_settings import client_with  # noqa: F401 - a fixture for every test
from tests.postgres import new_database, settings_for
from tests.redis_server import redis_server  # noqa: F401 - a fixture for every test
from tests.secrets_seen import remember
from web.app import create_app

ALL_TABLES = [
    "group_membership", "scim_group", "group_role_mapping", "scim_token",
    "webhook_delivery", "webhook",
    "mfa_challenge", "passkey", "passkey_registration", "recovery_code", "totp_factor",
    "outbox_mail", "audit_event", "session", "api_token", "project", "invitation",
    "signup_domain", "saml_request", "saml_assertion_seen", "saml_settings",
    "persisted_query", "instance_settings", "user", "tenant",
]  # fmt: skip


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", choices=["sqlite", "postgres"], default="sqlite")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--db") == "postgres":
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: run with --db=postgres")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def logs_hold_no_secret(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Everything any logger writes during the run goes to a file too; at the end, no secret
    the suite used (passwords, session and API tokens, keys) may appear in it."""
    path = tmp_path_factory.mktemp("logs") / "all.log"
    handler = logging.FileHandler(path, encoding="utf-8", errors="backslashreplace")
    handler.setLevel(logging.DEBUG)
    handler.addFilter(secrets_seen.from_the_app)
    root = logging.getLogger()
    root.addHandler(handler)
    remember(DEFAULT_PASSWORD)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
    text = path.read_text(encoding="utf-8")
    leaked = sorted(secret[:12] + "…" for secret in secrets_seen.SEEN if secret in text)
    assert not leaked, f"secrets found in the log output: {leaked}"


@pytest.fixture(scope="session")
def db_kind(pytestconfig: pytest.Config) -> str:
    return str(pytestconfig.getoption("--db"))


@pytest.fixture(scope="session")
async def database_settings(
    db_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, str]]:
    """The Config fields that reach the run's database (tests/postgres.py: directly, or
    through PgBouncer in the pass that sets TENANTRY_TEST_PGBOUNCER_URL)."""
    if db_kind == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "tenantry.db"
        yield {"database_url": f"sqlite://{path}"}
        return
    async with new_database("tenantry_test") as name:
        try:
            yield settings_for(name)
        finally:
            await Tortoise.close_connections()


@pytest.fixture
def sqlite_file(config: Config) -> Path:
    """The run's SQLite database file; the test is skipped on PostgreSQL."""
    path = database_path(config.database_url)
    if path is None:
        pytest.skip("SQLite only")
    return Path(path)


@pytest.fixture(scope="session")
def database_url(database_settings: dict[str, str]) -> str:
    return database_settings["database_url"]


@pytest.fixture(scope="session")
def config(database_settings: dict[str, str]) -> Config:
    return Config(
        **database_settings,  # type: ignore[arg-type]
        public_url="http://tenantry.test",
        secret_key="test-secret-key-not-for-production",
        graphiql=True,
        # Failed logins wait out PAM's delay in production; tests/auth checks that on its own.
        login_failure_seconds=0,
        # requestPasswordReset's even answer time: tests/account_security checks it on its own.
        password_reset_answer_seconds=0,
        sqlite_checkpoint_seconds=0.1,
    )


@pytest.fixture(scope="session")
async def app(config: Config) -> AsyncIterator[object]:
    await migrate(config.database_url)
    application = create_app(config)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(autouse=True)
async def clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Each test starts from empty tables and fresh rate limits."""
    if "app" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")
    yield
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        # DELETE, not TRUNCATE: a TRUNCATE gives every table new files that PostgreSQL
        # syncs to disk at commit, which made emptying a few rows the slowest step of most
        # tests (and two passes at once wait on the disk). Foreign keys are not checked
        # while the tables empty (the replica role skips their triggers), so any order works.
        deletes = "".join(f'DELETE FROM "{t}";' for t in ALL_TABLES)
        await connection.execute_script(
            f"BEGIN; SET LOCAL session_replication_role = replica; {deletes} COMMIT;"
        )
    else:
        await connection.execute_script(
            "PRAGMA foreign_keys=OFF;"
            + "".join(f'DELETE FROM "{t}";' for t in ALL_TABLES)
            + "PRAGMA foreign_keys=ON;"
        )
    await limiter().reset()


@pytest.fixture
async def http(app: object) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app, client=("203.0.113.7", 51000))  # type: ignore[arg-type]
    async with AsyncClient(transport=transport, base_url="http://tenantry.test") as client:
        yield client


@pytest.fixture
def gql(http: AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
def make(app: object) -> Factory:
    return Factory()


@pytest.fixture
async def cast(make: Factory) -> Cast:
    return await make.cast()
