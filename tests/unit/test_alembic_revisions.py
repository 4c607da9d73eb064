"""Which commands get per-revision attribution, and in what form."""

from __future__ import annotations

from parity.steps.alembic_revisions import RevisionInfo, alembic_target, per_revision_command

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
