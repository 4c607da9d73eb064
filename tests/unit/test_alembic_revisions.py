"""Alembic however it is invoked: which commands get per-revision attribution, up to which target, in what form."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from parity.env.host import Finished, Line
from parity.migrate.alembic_revisions import (
    MARK,
    RevisionInfo,
    discover_revisions,
    downgrade_command,
    parse_upgrade,
    per_revision_command,
)
from parity.migrate.apply import _per_revision

REVS = [RevisionInfo("0001", "notes"), RevisionInfo("0002", "view")]


@pytest.mark.parametrize(("command", "target", "before", "after"), [
    (["alembic", "upgrade", "head"], "head", ["alembic", "upgrade"], []),
    (["alembic", "-c", "db/alembic.ini", "upgrade", "0002"], "0002", ["alembic", "-c", "db/alembic.ini", "upgrade"], []),
    (["python", "-m", "alembic", "upgrade", "head"], "head", ["python", "-m", "alembic", "upgrade"], []),
    (["/opt/venv/bin/python3.11", "-m", "alembic", "-x", "t=a", "upgrade", "ae1"], "ae1",
     ["/opt/venv/bin/python3.11", "-m", "alembic", "-x", "t=a", "upgrade"], []),
    (["flask", "db", "upgrade"], "head", ["flask", "db", "upgrade"], []),
    (["flask", "--app", "web:app", "db", "upgrade", "-d", "db/migrations", "0002"], "0002",
     ["flask", "--app", "web:app", "db", "upgrade", "-d", "db/migrations"], []),
    (["python", "-m", "flask", "db", "upgrade", "0001", "--tag", "x"], "0001",
     ["python", "-m", "flask", "db", "upgrade"], ["--tag", "x"]),
])
def test_every_way_of_invoking_an_alembic_upgrade_is_recognised_with_its_target(
    command: list[str], target: str, before: list[str], after: list[str]
) -> None:
    upgrade = parse_upgrade(command)
    assert upgrade is not None
    assert (upgrade.target, upgrade.before, upgrade.after) == (target, before, after)


@pytest.mark.parametrize("command", [
    ["python", "manage.py", "migrate"],
    ["alembic", "upgrade"],  # no target: alembic itself refuses
    ["alembic", "upgrade", "head", "--sql"],  # offline SQL: nothing is applied
    ["alembic", "downgrade", "base"],
    ["flask", "db", "migrate"],
    ["sh", "-c", "alembic upgrade head"],
    ["npx", "knex", "migrate:latest"],
])
def test_other_commands_run_as_given(command: list[str]) -> None:
    assert parse_upgrade(command) is None


def _project(root: Path, failing: str | None = None, directory: bool = False) -> Path:
    """An Alembic project on SQLite with three revisions (one may raise); an ini, or a Flask-Migrate
    style directory (no script_location in the ini: Flask-Migrate sets it)."""
    scripts = root / "migrations"
    (scripts / "versions").mkdir(parents=True)
    (scripts / "env.py").write_text(
        "from alembic import context\nfrom sqlalchemy import create_engine\n"
        "engine = create_engine(context.config.get_main_option('sqlalchemy.url'))\n"
        "with engine.connect() as connection:\n"
        "    context.configure(connection=connection)\n"
        "    with context.begin_transaction():\n"
        "        context.run_migrations()\n"
    )
    for rev, down in (("0001", None), ("0002", "0001"), ("0003", "0002")):
        body = "raise RuntimeError('canary-failure')" if rev == failing else "pass"
        (scripts / "versions" / f"{rev}.py").write_text(
            f'"""revision {rev}"""\nrevision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\n'
            f"depends_on = None\ndef upgrade():\n    {body}\ndef downgrade():\n    pass\n"
        )
    if directory:
        (scripts / "alembic.ini").write_text("[alembic]\n")
    ini = root / "alembic.ini"
    ini.write_text(f"[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///{root / 'db.sqlite'}\n")
    return ini


@pytest.mark.parametrize(("target", "expected"), [
    ("head", ["0001", "0002", "0003"]),
    ("0002", ["0001", "0002"]),
    ("0001", ["0001"]),
])
def test_the_revisions_planned_stop_at_the_commands_target(tmp_path: Path, target: str, expected: list[str]) -> None:
    _project(tmp_path)
    upgrade = parse_upgrade(["alembic", "upgrade", target])
    assert upgrade is not None
    revisions = discover_revisions(upgrade, tmp_path)
    assert revisions is not None and [r.id for r in revisions] == expected
    assert revisions[0].description == "revision 0001"


def test_flask_migrate_reads_the_migrations_directory(tmp_path: Path) -> None:
    _project(tmp_path, directory=True)
    upgrade = parse_upgrade(["flask", "db", "upgrade", "0002"])
    assert upgrade is not None
    revisions = discover_revisions(upgrade, tmp_path)
    assert revisions is not None and [r.id for r in revisions] == ["0001", "0002"]
    assert discover_revisions(parse_upgrade(["flask", "db", "upgrade", "-d", "elsewhere"]), tmp_path) is None  # type: ignore[arg-type]


def test_a_target_alembic_cannot_resolve_runs_the_command_as_given(tmp_path: Path) -> None:
    _project(tmp_path)
    assert discover_revisions(parse_upgrade(["alembic", "upgrade", "9999"]), tmp_path) is None  # type: ignore[arg-type]


def test_a_plain_upgrade_runs_in_one_python_process_with_its_ini_and_revisions() -> None:
    upgrade = parse_upgrade(["alembic", "-c", "db/alembic.ini", "upgrade", "head"])
    assert upgrade is not None
    argv = per_revision_command(upgrade, REVS)
    assert argv[:2] == ["sh", "-c"] and argv[-3:] == ["db/alembic.ini", "0001", "0002"]
    assert "command.upgrade(config, rev)" in argv[3]


def test_python_dash_m_alembic_uses_that_interpreter_in_one_process() -> None:
    upgrade = parse_upgrade(["/opt/app/bin/python", "-m", "alembic", "upgrade", "head"])
    assert upgrade is not None
    argv = per_revision_command(upgrade, REVS)
    assert argv[2].endswith('exec /opt/app/bin/python -c "$0" "$@"')
    assert argv[-3:] == ["alembic.ini", "0001", "0002"]


def test_other_forms_run_the_users_command_once_per_revision() -> None:
    argv = per_revision_command(parse_upgrade(["alembic", "-x", "tenant=a", "upgrade", "head"]), REVS)  # type: ignore[arg-type]
    assert len(argv) == 3 and "for rev in 0001 0002" in argv[2]
    assert "alembic -x tenant=a upgrade \"$rev\"" in argv[2]
    flask = per_revision_command(parse_upgrade(["flask", "db", "upgrade"]), REVS)  # type: ignore[arg-type]
    assert "flask db upgrade \"$rev\"" in flask[2]


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, cwd=cwd)


def test_the_traceback_comes_before_the_failure_marker_on_stdout_alone(tmp_path: Path) -> None:
    # Where stdout and stderr are carried apart their relative order is lost; everything must
    # come through stdout for the error to stay with its revision.
    ini = _project(tmp_path, failing="0002")
    upgrade = parse_upgrade(["alembic", "-c", str(ini), "upgrade", "head"])
    assert upgrade is not None
    out = _run(per_revision_command(upgrade, discover_revisions(upgrade, tmp_path) or []), tmp_path)
    assert out.returncode == 1 and out.stderr == ""
    lines = out.stdout.splitlines()
    failed_at = lines.index(f"{MARK}-failed 0002 1")
    assert any("canary-failure" in line for line in lines[:failed_at])
    assert f"{MARK}-start 0003" not in lines


def test_a_target_below_head_applies_only_up_to_it(tmp_path: Path) -> None:
    import sqlite3

    _project(tmp_path)
    upgrade = parse_upgrade([sys.executable, "-m", "alembic", "upgrade", "0002"])
    assert upgrade is not None
    out = _run(per_revision_command(upgrade, discover_revisions(upgrade, tmp_path) or []), tmp_path)
    assert out.returncode == 0, out.stdout
    with sqlite3.connect(tmp_path / "db.sqlite") as db:
        assert db.execute("select version_num from alembic_version").fetchall() == [("0002",)]


def _lines(*texts: tuple[float, str]) -> list[Line]:
    return [Line(at, at, text) for at, text in texts]


def test_an_error_that_arrives_after_its_failure_marker_still_belongs_to_the_revision() -> None:
    lines = _lines((1.0, f"{MARK}-start 0001"), (1.5, f"{MARK}-done 0001"), (1.6, f"{MARK}-start 0002"),
                   (2.0, f"{MARK}-failed 0002 1"), (2.0, "Traceback (most recent call last):"),
                   (2.0, "psycopg.errors.UndefinedFunction: function any_value(text) does not exist"))
    results = _per_revision(Finished(code=1, lines=lines, started=0.0), REVS, timeout=60)
    assert [r.status for r in results] == ["ok", "failed"]
    assert "any_value(text) does not exist" in results[1].error and results[0].error == ""
    assert results[0].duration_s == 0.5


@pytest.mark.parametrize("launcher", [[sys.executable, "-m", "alembic"], ["alembic", "-x", "unused=1"]])
def test_a_downgrade_step_goes_down_to_its_target_in_either_form(tmp_path: Path, launcher: list[str]) -> None:
    import sqlite3

    ini = _project(tmp_path)
    upgrade = parse_upgrade([*launcher, "-c", str(ini), "upgrade", "head"])
    assert upgrade is not None
    assert _run(per_revision_command(upgrade, discover_revisions(upgrade, tmp_path) or []), tmp_path).returncode == 0
    for target, left in (("0001", [("0001",)]), ("base", [])):
        out = _run(downgrade_command(upgrade, target), tmp_path)
        assert out.returncode == 0, out.stdout
        assert out.stdout.splitlines()[0] == f"{MARK}-start down:{target}"
        with sqlite3.connect(tmp_path / "db.sqlite") as db:
            assert db.execute("select version_num from alembic_version").fetchall() == left
