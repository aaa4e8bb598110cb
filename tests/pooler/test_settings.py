"""TENANTRY_DATABASE_POOLER=transaction: what changes behind PgBouncer in transaction pooling
mode (docs/operations.md, PgBouncer)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config import Config
from domain.events import listen_url

POOLED = "postgres://tenantry@pgbouncer:6432/tenantry"
DIRECT = "postgres://tenantry@postgres:5432/tenantry"


def test_behind_a_transaction_pooler_asyncpg_prepares_no_named_statements():
    config = Config(database_url=POOLED, database_pooler="transaction", secret_key="k")
    assert config.database_url == f"{POOLED}?statement_cache_size=0"


def test_a_statement_cache_size_the_url_sets_itself_is_kept():
    url = f"{POOLED}?min_size=2&statement_cache_size=0"
    assert (
        Config(database_url=url, database_pooler="transaction", secret_key="k").database_url == url
    )


def test_without_a_pooler_the_url_is_used_as_given():
    assert Config(database_url=POOLED, secret_key="k").database_url == POOLED


def test_a_transaction_pooler_in_front_of_sqlite_is_refused():
    with pytest.raises(ValidationError, match="is for PostgreSQL URLs"):
        Config(database_url="sqlite://./var/t.db", database_pooler="transaction", secret_key="k")


def test_the_pooler_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TENANTRY_DATABASE_URL", POOLED)
    monkeypatch.setenv("TENANTRY_DATABASE_POOLER", "transaction")
    monkeypatch.setenv("TENANTRY_DATABASE_DIRECT_URL", DIRECT)
    config = Config(secret_key="k")
    assert (config.database_url, config.database_direct_url) == (
        f"{POOLED}?statement_cache_size=0",
        DIRECT,
    )


def test_behind_a_transaction_pooler_change_events_are_listened_for_on_the_direct_url():
    config = Config(
        database_url=POOLED, database_pooler="transaction", database_direct_url=DIRECT,
        secret_key="k",
    )  # fmt: skip
    assert listen_url(config) == DIRECT


def test_behind_a_transaction_pooler_without_a_direct_url_nothing_listens():
    config = Config(database_url=POOLED, database_pooler="transaction", secret_key="k")
    assert listen_url(config) is None


def test_without_a_pooler_change_events_are_listened_for_on_the_database_url():
    assert listen_url(Config(database_url=DIRECT, secret_key="k")) == DIRECT
