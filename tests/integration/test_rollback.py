"""migrations.rollback: each revision down and up again, a broken downgrade or a round trip that
changes the schema reported with its error."""

from __future__ import annotations

from pathlib import Path

from parity.project import Project
from parity.run import RunOptions, run
from tests.integration.rehearsal import Rev, alembic_project

REVISIONS = [
    Rev("0001", "create notes", "CREATE TABLE notes (id serial PRIMARY KEY, title varchar(200) NOT NULL); "
                                "CREATE INDEX notes_title ON notes (title)", "DROP TABLE notes"),
    # A typo in the downgrade: it fails.
    Rev("0002", "archive flag", "ALTER TABLE notes ADD COLUMN archived boolean",
        "ALTER TABLE notes DROP COLUMN archvied"),
    # A downgrade that also drops what 0001 made: it runs, but the round trip loses an index.
    Rev("0003", "pinned notes", "ALTER TABLE notes ADD COLUMN pinned boolean",
        "ALTER TABLE notes DROP COLUMN pinned; DROP INDEX notes_title"),
    Rev("0004", "tags", "CREATE TABLE tags (id serial PRIMARY KEY, name text NOT NULL)", "DROP TABLE tags"),
]
ROLLBACK = "migrations: {command: [alembic, upgrade, head], run_in: host, rollback: true}\n"


def test_rollback_finds_a_broken_downgrade_and_a_round_trip_that_changes_the_schema(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    project = alembic_project(tmp_path, REVISIONS, {"local": "database: {version: '17'}\n" + ROLLBACK,
                                                    "prod": "database: {version: '15', ssl: required}\n" + ROLLBACK})
    result = run(Project.at(project), RunOptions(target="prod")).result
    # The same code on both sides: not a divergence, but not parity either.
    assert result.verdict == "divergent" and result.divergences == []
    failures = {f.subject: f for f in result.failures}
    assert set(failures) == {"0002 archive flag", "0003 pinned notes"}, result.failures
    broken, lossy = failures["0002 archive flag"], failures["0003 pinned notes"]
    assert broken.step == "rollback" and broken.target.startswith("downgrade failed")
    assert 'column "archvied" of relation "notes" does not exist' in broken.detail
    assert lossy.target.startswith("the round trip changed the schema: indexes of notes"), lossy.target
    prod = {r.id: r for r in result.profiles["prod"].steps["migrations"].revisions}
    assert prod["0004"].rollback and (prod["0004"].rollback.downgrade, prod["0004"].rollback.upgrade) == ("ok", "ok")
    assert prod["0004"].rollback.schema_changes == []
    assert prod["0002"].rollback and prod["0002"].rollback.upgrade == "skipped"
    assert prod["0001"].rollback is None  # below the broken downgrade: never reached
    assert result.profiles["prod"].steps["migrations"].facts["rollback"]["broken"] == ["0002", "0003"]
    # Back at head afterwards: the app and smoke tests get the schema they expect.
    assert result.profiles["prod"].steps["migrations"].status == "ok"
