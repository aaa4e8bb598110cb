"""`tenantry export-tenant` and `tenantry import-tenant`, run as processes: a tenant set up
through the test app's database moves into a fresh instance of its own."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from tortoise.models import Model

import models
from config import Config
from domain.audit import record
from domain.saml.settings import SamlChange, update_saml_settings
from domain.secrets import encrypt
from domain.tenant_transfer import NOT_MOVED, SECTIONS, exported_columns
from domain.users import actor_of
from models import SignupDomain, TotpFactor
from tests.factories import Cast, Factory
from tests.saml.idp import new_key_pair

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "test-secret-key-not-for-production"
# The target instance has a key of its own, as another instance would.
OTHER_SECRET_KEY = "another-instance-secret-key-for-tests"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def tenantry(
    args: list[str], cwd: Path, database_url: str, secret_key: str = SECRET_KEY
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TENANTRY_DATABASE_URL": database_url,
             "TENANTRY_SECRET_KEY": secret_key, "TENANTRY_LOG_JSON": "true"},
    )  # fmt: skip


@pytest.fixture
def fresh_instance(tmp_path: Path) -> str:
    """Another instance: its own SQLite database, migrated, with its own key."""
    url = f"sqlite://{tmp_path / 'other' / 'tenantry.db'}"
    (tmp_path / "other").mkdir()
    result = tenantry(["migrate"], tmp_path, url, OTHER_SECRET_KEY)
    assert result.returncode == 0, result.stderr
    return url


@pytest.fixture
async def acme(cast: Cast, make: Factory) -> Cast:
    """Tenant acme with something in every section, a TOTP factor and a superuser."""
    await make.project(cast.admin_a.user, "Apollo")
    await make.api_token(cast.member_a.user, "ci")
    await make.invitation(cast.tenant_a, invited_by=cast.admin_b.user)  # from another tenant
    await make.invitation(cast.tenant_a, invited_by=cast.admin_a.user)
    domain = await make.signup_domain(cast.tenant_a, "acme.example")
    await SignupDomain.filter(id=domain.id).update(verified_domain="acme.example")
    await update_saml_settings(
        actor_of(cast.superuser.user),
        SamlChange(
            tenant_id=str(cast.tenant_a.id),
            enabled=True,
            idp_entity_id="https://idp.example/acme",
            idp_sso_url="https://idp.example/acme/sso",
            idp_certificate=new_key_pair("IdP of acme").cert_pem,
        ),
    )
    await record(actor_of(cast.admin_b.user), "user.updated", tenant_id=cast.tenant_a.id)
    await TotpFactor.create(
        user=cast.member_a.user, secret_encrypted=encrypt("JBSWY3DPEHPK3PXP"), confirmed=True
    )
    return cast


def export(cwd: Path, database_url: str, name: str = "acme", key: str = SECRET_KEY) -> Any:
    output = cwd / f"{uuid.uuid4().hex}.json"
    result = tenantry(["export-tenant", "--tenant", name, "--output", str(output)], cwd,
                      database_url, key)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(output.read_text())


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document))
    return path


def without_transfer_events(document: Any) -> Any:
    moved = {key: value for key, value in document.items() if key != "exported_at"}
    moved["audit_events"] = [
        event
        for event in document["audit_events"]
        if event["action"] not in ("tenant.exported", "tenant.imported")
    ]
    return moved


async def test_a_tenant_exported_and_imported_into_a_fresh_instance_exports_the_same(
    acme: Cast, config: Config, fresh_instance: str, tmp_path: Path
):
    original = export(tmp_path, config.database_url)
    result = tenantry(["import-tenant", str(write(tmp_path / "acme.json", original))],
                      tmp_path, fresh_instance, OTHER_SECRET_KEY)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"imported tenant 'acme' ({acme.tenant_a.id})\n"

    moved = export(tmp_path, fresh_instance, key=OTHER_SECRET_KEY)
    assert without_transfer_events(moved) == without_transfer_events(original)
    assert {len(original[s]) for s in ("projects", "api_tokens", "signup_domains")} == {1}
    assert len(original["users"]) == 4 and len(original["invitations"]) == 2


async def test_the_file_holds_hashes_but_no_encrypted_secret_session_or_superuser_bit(
    acme: Cast, config: Config, tmp_path: Path
):
    document = export(tmp_path, config.database_url)
    text = json.dumps(document)
    assert "argon2id" in text  # password hashes move: passwords keep working
    assert acme.superuser.token not in text
    assert "gAAAAA" not in text  # no Fernet token: the TOTP secret stays behind
    assert "secret_encrypted" not in text and "totp" not in text
    assert not any("superuser" in user for user in document["users"])


async def test_references_to_users_of_other_tenants_are_cleared_and_their_names_kept(
    acme: Cast, config: Config, tmp_path: Path
):
    document = export(tmp_path, config.database_url)
    senders = {invitation["invited_by_id"] for invitation in document["invitations"]}
    assert senders == {str(acme.admin_a.user.id), None}
    [event] = [e for e in document["audit_events"] if e["action"] == "user.updated"]
    assert (event["actor_id"], event["actor_name"]) == (None, "bianca")


async def test_an_imported_superuser_is_a_plain_admin_on_the_new_instance(
    acme: Cast, config: Config, fresh_instance: str, tmp_path: Path
):
    path = write(tmp_path / "acme.json", export(tmp_path, config.database_url))
    tenantry(["import-tenant", str(path)], tmp_path, fresh_instance, OTHER_SECRET_KEY)
    database = fresh_instance.removeprefix("sqlite://")
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT role, superuser FROM user WHERE username = 'root'")
        assert rows.fetchall() == [("admin", 0)]


async def test_an_import_onto_a_tenant_of_the_same_name_is_refused_and_writes_nothing(
    acme: Cast, config: Config, fresh_instance: str, tmp_path: Path
):
    path = write(tmp_path / "acme.json", export(tmp_path, config.database_url))
    first = tenantry(["import-tenant", str(path)], tmp_path, fresh_instance, OTHER_SECRET_KEY)
    assert first.returncode == 0, first.stderr
    database = fresh_instance.removeprefix("sqlite://")
    with sqlite3.connect(database) as connection:
        before = connection.execute("SELECT count(*) FROM audit_event").fetchone()
    again = tenantry(["import-tenant", str(path)], tmp_path, fresh_instance, OTHER_SECRET_KEY)
    assert again.returncode == 1
    assert again.stderr == "import refused: a tenant named 'acme' exists here\n"
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM audit_event").fetchone() == before


async def test_an_import_whose_verified_domain_another_tenant_holds_is_refused(
    acme: Cast, config: Config, fresh_instance: str, tmp_path: Path
):
    document = export(tmp_path, config.database_url)
    path = write(tmp_path / "acme.json", document)
    tenantry(["import-tenant", str(path)], tmp_path, fresh_instance, OTHER_SECRET_KEY)
    # The same tenant under another name and new ids: only the domain (and tokens) clash.
    fresh_ids: dict[str, str] = {}
    text = UUID.sub(
        lambda found: fresh_ids.setdefault(found.group(), str(uuid.uuid4())), json.dumps(document)
    )
    twin = json.loads(text)
    twin["tenant"] |= {"name": "acme-twin", "name_key": "acme-twin"}
    result = tenantry(["import-tenant", str(write(tmp_path / "twin.json", twin))],
                      tmp_path, fresh_instance, OTHER_SECRET_KEY)  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "import refused: the sign-up domain acme.example is verified by a tenant here\n"
    )
    with sqlite3.connect(fresh_instance.removeprefix("sqlite://")) as connection:
        names = {n for (n,) in connection.execute("SELECT name FROM tenant")}
    assert names == {"acme"}


async def test_exporting_an_unknown_tenant_says_so(app, config: Config, tmp_path: Path):
    result = tenantry(["export-tenant", "--tenant", "nobody"], tmp_path, config.database_url)
    assert result.returncode == 1
    assert result.stderr == "no tenant named 'nobody'\n"


def test_a_file_that_is_not_an_export_is_refused(fresh_instance: str, tmp_path: Path):
    path = write(tmp_path / "other.json", {"format": "something else"})
    result = tenantry(["import-tenant", str(path)], tmp_path, fresh_instance, OTHER_SECRET_KEY)
    assert result.returncode == 1
    assert result.stderr == "import refused: not a tenantry-tenant-export document of version 1\n"


def test_no_exported_column_names_a_secret_other_than_the_portable_hashes():
    secret_like = re.compile(r"secret|encrypted|password|token|private|key$", re.I)
    portable = {"password_hash", "token_hash", "name_key", "username_key", "email_key"}
    portable |= {"scim_user_name_key", "group_key"}  # lookup keys of names, not secrets
    # A new secret column must be left out (or argued portable here) before it moves.
    named = {
        column
        for model in SECTIONS.values()
        for column in exported_columns(model)
        if secret_like.search(column)
    }
    assert named - portable == {"verification_token"}  # published in DNS, not a secret


async def test_a_file_that_puts_a_user_into_another_tenant_is_refused(
    acme: Cast, config: Config, fresh_instance: str, tmp_path: Path
):
    document = export(tmp_path, config.database_url)
    intruder = dict(document["users"][0], id=str(uuid.uuid4()), tenant_id=str(uuid.uuid4()))
    document["users"].append(intruder)
    result = tenantry(["import-tenant", str(write(tmp_path / "acme.json", document))],
                      tmp_path, fresh_instance, OTHER_SECRET_KEY)  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == "import refused: the file holds users of another tenant\n"


@pytest.mark.parametrize(
    ("section", "change"),
    [
        ("users", {"role": "overlord"}),
        ("users", {"created_at": "yesterday"}),
        ("projects", {"name": "x" * 500}),
        ("invitations", {"unknown_column": 1}),
    ],
)
async def test_a_malformed_file_is_refused_and_writes_nothing(
    acme: Cast, config: Config, fresh_instance: str, tmp_path: Path, section: str, change: dict
):
    document = export(tmp_path, config.database_url)
    document[section][0] |= change
    result = tenantry(["import-tenant", str(write(tmp_path / "acme.json", document))],
                      tmp_path, fresh_instance, OTHER_SECRET_KEY)  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("import refused: the document is malformed: ")
    assert len(result.stderr.splitlines()) == 1
    with sqlite3.connect(fresh_instance.removeprefix("sqlite://")) as connection:
        assert connection.execute("SELECT count(*) FROM tenant").fetchone() == (0,)


def test_every_table_that_refers_to_others_is_moved_or_said_to_stay_behind():
    referring = {
        model
        for model in (getattr(models, name) for name in models.__all__)
        if isinstance(model, type) and issubclass(model, Model)
        and (model._meta.fk_fields or model._meta.o2o_fields)
    }  # fmt: skip
    assert referring - set(SECTIONS.values()) == set(NOT_MOVED)


async def test_a_file_whose_tenant_has_no_id_is_refused(
    acme: Cast, config: Config, fresh_instance: str, tmp_path: Path
):
    document = export(tmp_path, config.database_url)
    document["tenant"]["id"] = None
    result = tenantry(["import-tenant", str(write(tmp_path / "acme.json", document))],
                      tmp_path, fresh_instance, OTHER_SECRET_KEY)  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("import refused: the document is malformed: tenant: a row")
