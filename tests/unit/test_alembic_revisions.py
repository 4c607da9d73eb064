"""Which commands get per-revision attribution, and in what form."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from parity.steps.alembic_revisions import MARK, RevisionInfo, alembic_target, per_revision_command
from parity.steps.migrations import Output, _per_revision

REVS = [RevisionInfo("0001", "notes"), RevisionInfo("0002", "view")]


def test_only_alembic_upgrade_commands_are_attributed_per_revision() -> None:
    assert alembic_target(["alembic", "upgrade", "head"]) == (2, None)
    assert alembic_target(["alembic", "-c", "db/alembic.ini", "upgrade", "head"]) == (4, "db/alembic.ini")
    assert alembic_target(["python", "manage.py", "migrate"]) is None
    assert alembic_target(["alembic", "upgrade"]) is None


def test_a_plain_upgrade_runs_in_one_python_process_with_its_ini_and_revisions() -> None:
    argv = per_revision_command(["alembic", "-c", "db/alembic.ini", "upgrade", "head"], 4, REVS)
    assert argv[:2] == ["sh", "-c"] and argv[-3:] == ["db/alembic.ini", "0001", "0002"]
    assert "command.upgrade(config, rev)" in argv[3]


def test_an_upgrade_with_other_options_runs_the_users_command_once_per_revision() -> None:
    argv = per_revision_command(["alembic", "-x", "tenant=a", "upgrade", "head"], 4, REVS)
    assert len(argv) == 3 and "for rev in 0001 0002" in argv[2]
    assert "alembic -x tenant=a upgrade \"$rev\"" in argv[2]


def _failing_project(root: Path) -> Path:
    """An Alembic project on SQLite whose second revision raises."""
    (root / "versions").mkdir()
    (root / "env.py").write_text(
        "from alembic import context\nfrom sqlalchemy import create_engine\n"
        "engine = create_engine(context.config.get_main_option('sqlalchemy.url'))\n"
        "with engine.connect() as connection:\n"
        "    context.configure(connection=connection)\n"
        "    with context.begin_transaction():\n"
        "        context.run_migrations()\n"
    )
    for rev, down, body in (("0001", None, "pass"), ("0002", "0001", "raise RuntimeError('canary-failure')")):
        (root / "versions" / f"{rev}.py").write_text(
            f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n"
            f"def upgrade():\n    {body}\n"
        )
    ini = root / "alembic.ini"
    ini.write_text(f"[alembic]\nscript_location = {root}\nsqlalchemy.url = sqlite:///{root / 'db.sqlite'}\n")
    return ini


def test_the_traceback_comes_before_the_failure_marker_on_stdout_alone(tmp_path: Path) -> None:
    # docker logs carries stdout and stderr separately, so their relative order is lost;
    # everything must come through stdout for the error to stay with its revision.
    ini = _failing_project(tmp_path)
    argv = per_revision_command(["alembic", "-c", str(ini), "upgrade", "head"], 4, REVS)
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 1 and out.stderr == ""
    lines = out.stdout.splitlines()
    failed_at = lines.index(f"{MARK}-failed 0002 1")
    assert any("canary-failure" in line for line in lines[:failed_at])


def test_an_error_that_arrives_after_its_failure_marker_still_belongs_to_the_revision() -> None:
    lines = [(1.0, f"{MARK}-start 0001"), (1.5, f"{MARK}-done 0001"), (1.6, f"{MARK}-start 0002"),
             (2.0, f"{MARK}-failed 0002 1"), (2.0, "Traceback (most recent call last):"),
             (2.0, "psycopg.errors.UndefinedFunction: function any_value(text) does not exist")]
    results = _per_revision(Output(code=1, lines=lines, started=0.0), REVS, timeout=60)
    assert [r.status for r in results] == ["ok", "failed"]
    assert "any_value(text) does not exist" in results[1].error and results[0].error == ""
