"""Migrations newer than the previous release (deploy/previous-release) only expand the schema:
the previous release runs on it during a rolling deploy (tools/expand_only.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tortoise import fields
from tortoise.migrations import operations as ops

from tools.expand_only import check, migration_names, newer_than_previous_release, refusals

ROOT = Path(__file__).resolve().parents[2]
DECLARED = {
    ("User", "email"): fields.CharField(max_length=320, null=True),
    ("User", "username"): fields.CharField(max_length=150),
}

SQL_REFUSED = "runs SQL that drops, renames or narrows: "


def refused(*operations, contracts=None) -> list[str]:
    return list(refusals(operations, dict(DECLARED), contracts or {}))


def test_the_migrations_newer_than_the_previous_release_only_expand_the_schema():
    assert check() == []


def test_the_check_runs_as_a_command_that_exits_0_when_nothing_is_refused():
    result = subprocess.run(
        [sys.executable, "-m", "tools.expand_only"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (0, "")


def test_the_previous_release_names_a_migration_of_this_one():
    newer = newer_than_previous_release()
    assert newer == migration_names()[len(migration_names()) - len(newer) :]


def test_a_new_table_a_nullable_column_and_an_index_expand():
    assert (
        refused(
            ops.CreateModel("Badge", fields=[("id", fields.IntField(primary_key=True))]),
            ops.AddField("User", "nickname", fields.CharField(max_length=50, null=True)),
            ops.AddField("User", "score", fields.IntField(db_default=0)),
            ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx" ON "user" ("email")'),
        )
        == []
    )


def test_dropping_a_column_is_refused():
    assert refused(ops.RemoveField("User", "email")) == ["drops field User.email"]


def test_renaming_a_column_is_refused():
    assert refused(ops.RenameField("User", "email", "mail")) == ["renames field User.email to mail"]


def test_dropping_or_renaming_a_table_is_refused():
    assert refused(ops.DeleteModel("Project"), ops.RenameModel("Project", "Workspace")) == [
        "drops model Project",
        "renames model Project to Workspace",
    ]


def test_a_not_null_column_without_a_database_default_is_refused():
    assert refused(ops.AddField("User", "score", fields.IntField(default=0))) == [
        "adds field User.score NOT NULL without a db_default "
        "(the previous release inserts rows without it)"
    ]


def test_making_a_column_not_null_or_shorter_or_of_another_type_is_refused():
    assert refused(
        ops.AlterField("User", "email", fields.CharField(max_length=320)),
        ops.AlterField("User", "username", fields.CharField(max_length=100)),
        ops.AlterField("User", "username", fields.TextField()),
    ) == [
        "alters field User.email: makes it NOT NULL (the previous release may write NULL)",
        "alters field User.username: shortens it (150 to 100)",
        "alters field User.username: changes its type (CharField to TextField)",
    ]


def test_raw_sql_that_drops_or_renames_is_refused():
    assert refused(
        ops.RunSQL('ALTER TABLE "user" DROP COLUMN "email"'),
        ops.RunSQL('ALTER TABLE "user" RENAME COLUMN "email" TO "mail"'),
    ) == [
        f'{SQL_REFUSED}ALTER TABLE "user" DROP COLUMN "email"',
        f'{SQL_REFUSED}ALTER TABLE "user" RENAME COLUMN "email" TO "mail"',
    ]


def test_a_removal_the_migration_lists_as_a_contraction_passes():
    contracts = {"User.email": "no release since 2.3 reads it", "Project": "gone since 2.1"}
    assert (
        refused(ops.RemoveField("User", "email"), ops.DeleteModel("Project"), contracts=contracts)
        == []
    )
