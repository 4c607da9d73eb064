"""Alembic migrations run on this machine: each revision attributed, the failing one named with its error."""

from __future__ import annotations

from pathlib import Path

from parity.project import Project
from parity.run import RunOptions, run
from tests.integration.projects import TOOLS_VENV

ENV_PY = '''
import os
from alembic import context
from sqlalchemy import create_engine

url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
with create_engine(url).connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
'''

REVISION = '''"""{doc}"""
from alembic import op

revision = "{rev}"
down_revision = {down}


def upgrade() -> None:
    op.execute("""{sql}""")
'''


def make_alembic_project(root: Path) -> Project:
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    (root / "migrations" / "env.py").write_text(ENV_PY)
    revisions = [
        ("0001", None, "create notes", "CREATE TABLE notes (id int PRIMARY KEY, currency text)"),
        ("0002", "0001", "currency view",
         "CREATE VIEW note_currency AS SELECT id, any_value(currency) AS c FROM notes GROUP BY id"),
    ]
    for rev, down, doc, sql in revisions:
        (versions / f"{rev}.py").write_text(
            REVISION.format(doc=doc, rev=rev, down=repr(down), sql=sql))
    (root / "profiles").mkdir()
    migrations = TOOLS_VENV + "migrations: {command: [alembic, upgrade, head], run_in: host}\n"
    (root / "profiles" / "local.yaml").write_text("database: {version: '17'}\n" + migrations)
    (root / "profiles" / "prod.yaml").write_text("database: {version: '13', ssl: required}\n" + migrations)
    return Project.at(root)


def test_the_revision_that_fails_on_production_postgres_is_named(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    result = run(make_alembic_project(tmp_path), RunOptions(target="prod")).result
    local, prod = (result.profiles[n].steps["migrations"] for n in ("local", "prod"))
    assert [(r.id, r.status) for r in local.revisions] == [("0001", "ok"), ("0002", "ok")]
    assert [(r.id, r.status) for r in prod.revisions] == [("0001", "ok"), ("0002", "failed")]
    assert "any_value" in prod.revisions[1].error and prod.revisions[0].duration_s > 0
    assert [(d.step, d.subject, d.cause) for d in result.divergences] == [
        ("migrations", "0002 currency view", "database.version")]


def test_the_upgrade_target_is_honoured_not_head(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    # `python -m alembic upgrade 0001`: production is meant to stop before the view; so must parity.
    project = make_alembic_project(tmp_path)
    for name in ("local", "prod"):
        path = project.profiles_dir / f"{name}.yaml"
        path.write_text(path.read_text().replace("[alembic, upgrade, head]", "[python, -m, alembic, upgrade, '0001']"))
    result = run(project, RunOptions(target="prod")).result
    assert result.verdict == "parity", result.divergences
    for name in ("local", "prod"):
        migrations = result.profiles[name].steps["migrations"]
        assert [(r.id, r.status) for r in migrations.revisions] == [("0001", "ok")]
        assert migrations.schema_snapshot is not None
        assert list(migrations.schema_snapshot["tables"]) == ["notes"] and migrations.schema_snapshot["views"] == []
