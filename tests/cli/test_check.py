"""`tenantry check`, run as a process the way an operator or a deploy pipeline runs it.

Some tests set the instance up through the API of the test app (a certificate, SAML, SMTP)
and then run `tenantry check` on that same database; the others start from a fresh SQLite
database of their own.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from config import Config
from domain.saml.settings import SamlChange, update_saml_settings
from domain.users import actor_of
from tests.factories import Cast
from tests.saml.idp import new_key_pair
from tests.settings import certs
from tests.smtp_server import SmtpServer, free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "test-secret-key-not-for-production"
MIGRATIONS = sorted(p.stem for p in (ROOT / "models" / "migrations").glob("[0-9]*.py"))
UPDATE_SSL = """
mutation($input: SslSettingsInput!) {
  updateSslSettings(input: $input) { __typename ... on ValidationError { message } }
}
"""


def check(cwd: Path, database_url: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TENANTRY_", "OTEL_")) or key == "TENANTRY_TEST_POSTGRES_URL"
    }
    return subprocess.run(
        [sys.executable, "-m", "web.cli", "check"],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        env={
            **env,
            "PYTHONPATH": str(ROOT),
            "TENANTRY_DATABASE_URL": database_url,
            "TENANTRY_SECRET_KEY": SECRET_KEY,
            "TENANTRY_LOG_JSON": "false",
            **environment,
        },
    )  # fmt: skip


def migrated(tmp_path: Path) -> str:
    url = f"sqlite://{tmp_path / 'tenantry.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "web.cli", "migrate"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TENANTRY_DATABASE_URL": url,
             "TENANTRY_SECRET_KEY": SECRET_KEY},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return url


def setting_line(stdout: str, name: str) -> str:
    return next(line.strip() for line in stdout.splitlines() if line.strip().startswith(name))


def problems(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stderr.splitlines()


def test_a_healthy_instance_passes_every_check_and_exits_0(tmp_path, redis_server):
    mail_server = SmtpServer().start()
    try:
        result = check(
            tmp_path,
            migrated(tmp_path),
            TENANTRY_REDIS_URL=redis_server.url,
            TENANTRY_SMTP_URL=f"smtp://127.0.0.1:{mail_server.port}",
        )
    finally:
        mail_server.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert "ok    database: answers; migrations current" in result.stdout
    assert "ok    redis: answers" in result.stdout
    assert f"ok    smtp: 127.0.0.1:{mail_server.port} accepts a connection" in result.stdout


def test_the_configuration_says_where_each_value_came_from(tmp_path):
    (tmp_path / "tenantry.toml").write_text("invitation_ttl_hours = 24\nmax_page_size = 50\n")
    result = check(tmp_path, migrated(tmp_path), TENANTRY_MAX_PAGE_SIZE="20")
    assert setting_line(result.stdout, "TENANTRY_INVITATION_TTL_HOURS").split() == [
        "TENANTRY_INVITATION_TTL_HOURS", "24", "[tenantry.toml]"
    ]  # fmt: skip
    # The environment wins over the file, as when serving.
    assert setting_line(result.stdout, "TENANTRY_MAX_PAGE_SIZE").split() == [
        "TENANTRY_MAX_PAGE_SIZE", "20", "[environment]"
    ]  # fmt: skip
    assert setting_line(result.stdout, "TENANTRY_MAX_QUERY_DEPTH").split() == [
        "TENANTRY_MAX_QUERY_DEPTH", "12", "[default]"
    ]  # fmt: skip
    assert setting_line(result.stdout, "tracing").split(maxsplit=1) == [
        "tracing", "off (OTEL_EXPORTER_OTLP_ENDPOINT not set)"
    ]  # fmt: skip


def test_the_configuration_shows_where_traces_go(tmp_path):
    result = check(
        tmp_path, migrated(tmp_path), OTEL_EXPORTER_OTLP_ENDPOINT="http://collector:4318"
    )
    assert setting_line(result.stdout, "tracing").split()[1:] == [
        "on,", "OTLP/HTTP", "to", "http://collector:4318", "[environment]"
    ]  # fmt: skip


def test_the_configuration_masks_the_secret_key_and_passwords_in_urls(tmp_path):
    smtp_password = "smtp-password-never-shown"
    redis_password = "redis-password-never-shown"
    result = check(
        tmp_path,
        migrated(tmp_path),
        TENANTRY_SMTP_URL=f"smtp://mailer:{smtp_password}@127.0.0.1:{free_port()}",
        TENANTRY_REDIS_URL=f"redis://:{redis_password}@127.0.0.1:{free_port()}/0",
        TENANTRY_METRICS_TOKEN="metrics-token-never-shown",
    )
    output = result.stdout + result.stderr
    for secret in (SECRET_KEY, smtp_password, redis_password, "metrics-token-never-shown"):
        assert secret not in output
    assert setting_line(result.stdout, "TENANTRY_SECRET_KEY").split()[1] == "********"
    assert (
        setting_line(result.stdout, "TENANTRY_REDIS_URL")
        .split()[1]
        .startswith("redis://:********@127.0.0.1:")
    )


def test_pending_migrations_are_one_problem_naming_them(tmp_path):
    url = migrated(tmp_path)
    with sqlite3.connect(tmp_path / "tenantry.db") as connection:
        connection.execute("DELETE FROM tortoise_migrations WHERE name = ?", (MIGRATIONS[-1],))
    result = check(tmp_path, url)
    assert result.returncode == 1
    assert problems(result) == [
        f"database: 1 migration(s) pending ({MIGRATIONS[-1]}): run `tenantry migrate`"
    ]


def test_a_database_that_does_not_answer_is_a_problem_and_its_password_is_not_shown(tmp_path):
    url = f"postgres://tenantry:db-password-never-shown@127.0.0.1:{free_port()}/tenantry"
    result = check(tmp_path, url)
    assert result.returncode == 1
    [line] = problems(result)
    assert line.startswith(
        f"database: postgres://tenantry:********@127.0.0.1:{url.rsplit(':', 1)[1].split('/')[0]}"
        "/tenantry does not answer: "
    )
    assert "db-password-never-shown" not in result.stdout + result.stderr


def test_an_unreachable_redis_is_a_problem(tmp_path):
    port = free_port()
    result = check(tmp_path, migrated(tmp_path), TENANTRY_REDIS_URL=f"redis://127.0.0.1:{port}/0")
    assert result.returncode == 1
    [line] = problems(result)
    assert line.startswith(f"redis: redis://127.0.0.1:{port}/0 does not answer: ")


def test_an_smtp_server_that_refuses_connections_is_a_problem(tmp_path):
    port = free_port()
    result = check(tmp_path, migrated(tmp_path), TENANTRY_SMTP_URL=f"smtp://127.0.0.1:{port}")
    assert result.returncode == 1
    [line] = problems(result)
    assert line.startswith(f"smtp: 127.0.0.1:{port} does not accept a connection: ")


def test_every_problem_is_a_line_of_its_own(tmp_path):
    result = check(
        tmp_path,
        migrated(tmp_path),
        TENANTRY_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        TENANTRY_SMTP_URL=f"smtp://127.0.0.1:{free_port()}",
    )
    assert result.returncode == 1
    assert [line.split(":")[0] for line in problems(result)] == ["redis", "smtp"]


async def test_the_smtp_server_saved_through_the_api_is_the_one_checked(
    config: Config, smtp, tmp_path
):
    result = check(tmp_path, config.database_url)
    assert result.returncode == 0, result.stderr
    assert f"ok    smtp: 127.0.0.1:{smtp.port} accepts a connection" in result.stdout


async def test_a_certificate_expiring_in_5_days_is_a_problem(
    config: Config, gql, cast: Cast, tmp_path
):
    pem = certs.self_signed("tenantry.example.com", days=5)
    variables = {"enabled": True, "certificate": pem.certificate, "privateKey": pem.private_key}
    answer = await gql(UPDATE_SSL, {"input": variables}, as_=cast.superuser)
    assert answer.payload("updateSslSettings")["__typename"] == "SslSettingsPayload"
    result = check(tmp_path, config.database_url)
    assert result.returncode == 1
    when = pem.not_after.strftime("%Y-%m-%d %H:%M UTC")
    assert problems(result) == [
        f"ssl: the certificate expires on {when}, in 4 day(s) (fewer than 14): upload a new one"
    ]


async def test_a_certificate_valid_for_30_days_passes(config: Config, gql, cast: Cast, tmp_path):
    pem = certs.self_signed("tenantry.example.com", days=30)
    variables = {"enabled": True, "certificate": pem.certificate, "privateKey": pem.private_key}
    await gql(UPDATE_SSL, {"input": variables}, as_=cast.superuser)
    result = check(tmp_path, config.database_url)
    assert result.returncode == 0, result.stderr
    assert "ok    ssl: the certificate is valid until " in result.stdout


async def enable_sso(cast: Cast) -> None:
    keys = new_key_pair("IdP of acme")
    await update_saml_settings(
        actor_of(cast.superuser.user),
        SamlChange(
            tenant_id=str(cast.tenant_a.id),
            enabled=True,
            idp_entity_id="https://idp.example/acme",
            idp_sso_url="https://idp.example/acme/sso",
            idp_certificate=keys.cert_pem,
        ),
    )


async def test_sso_enabled_with_an_http_public_url_is_a_problem(
    config: Config, cast: Cast, tmp_path
):
    await enable_sso(cast)
    result = check(tmp_path, config.database_url, TENANTRY_PUBLIC_URL="http://tenantry.test")
    assert result.returncode == 1
    assert problems(result) == [
        f"sso: SAML sign-in is enabled (tenants: {cast.tenant_a.name}) but TENANTRY_PUBLIC_URL "
        "(http://tenantry.test) is not https: identity providers post assertions to it"
    ]


async def test_sso_enabled_with_an_https_public_url_passes(config: Config, cast: Cast, tmp_path):
    await enable_sso(cast)
    result = check(tmp_path, config.database_url, TENANTRY_PUBLIC_URL="https://tenantry.test")
    assert result.returncode == 0, result.stderr
    assert "ok    sso: TENANTRY_PUBLIC_URL is https" in result.stdout


def test_settings_refused_are_one_line_each_without_the_value_given(tmp_path):
    result = check(
        tmp_path,
        f"sqlite://{tmp_path / 'tenantry.db'}",
        TENANTRY_MAX_PAGE_SIZE="0",
        TENANTRY_METRICS_TOKEN="short-secret",
    )
    assert result.returncode == 1
    assert problems(result) == [
        "configuration: TENANTRY_MAX_PAGE_SIZE: Input should be greater than or equal to 1",
        "configuration: TENANTRY_METRICS_TOKEN: String should have at least 16 characters",
    ]
    assert "short-secret" not in result.stdout + result.stderr
