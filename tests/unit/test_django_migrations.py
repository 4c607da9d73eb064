"""Django's migrate output -> one result per migration, with durations from the output's own timing."""

from __future__ import annotations

from parity.env.host import Line, LineSplitter
from parity.migrate.django_migrations import (
    aimed_command,
    is_django_migrate,
    migration_results,
    previous_migrations,
)


def _timed(chunks: list[tuple[float, str]]) -> list[Line]:
    """Lines as the pipe delivers them: Django flushes "Applying X..." and writes " OK" later."""
    splitter = LineSplitter()
    for at, text in chunks:
        splitter.feed(text.encode(), at)
    return splitter.close(chunks[-1][0])


def test_each_applied_migration_is_a_result_with_its_duration() -> None:
    lines = _timed([
        (0.0, "Operations to perform:\n  Apply all migrations: auth, contenttypes\nRunning migrations:\n"),
        (1.0, "  Applying contenttypes.0001_initial..."), (1.25, " OK\n"),
        (1.3, "  Applying auth.0001_initial..."), (2.3, " OK (0.998s)\n"),
    ])
    results = migration_results(lines, timed_out=False, timeout=60)
    assert [(r.id, r.status, r.duration_s) for r in results] == [
        ("contenttypes.0001_initial", "ok", 0.25), ("auth.0001_initial", "ok", 1.0)]


def test_the_failing_migration_is_named_with_its_error() -> None:
    # The traceback (stderr, same pipe) lands right after the dots: there is no " OK".
    lines = _timed([
        (0.0, "Running migrations:\n"),
        (1.0, "  Applying shop.0001_initial..."), (1.1, " OK\n"),
        (1.2, "  Applying shop.0002_summary..."),
        (1.7, "Traceback (most recent call last):\n  File \"manage.py\", line 22, in <module>\n"),
        (1.8, "django.db.utils.ProgrammingError: function any_value(integer) does not exist\n"),
    ])
    results = migration_results(lines, timed_out=False, timeout=60)
    assert [(r.id, r.status) for r in results] == [("shop.0001_initial", "ok"), ("shop.0002_summary", "failed")]
    assert results[1].error.startswith("Traceback") and "any_value(integer) does not exist" in results[1].error
    assert results[1].duration_s == 0.6


def test_a_migration_still_running_at_the_timeout_is_the_one_that_timed_out() -> None:
    lines = _timed([(0.0, "  Applying shop.0003_backfill...")])
    results = migration_results(lines, timed_out=True, timeout=30)
    assert results[0].status == "failed" and results[0].error.startswith("timed out after 30s")


def test_a_failure_before_any_migration_gives_no_per_migration_results() -> None:
    # e.g. Django refusing the server version: the step fails as a whole, with its output.
    lines = _timed([(0.0, "django.db.utils.NotSupportedError: PostgreSQL 14 or later is required (found 13.23).\n")])
    assert migration_results(lines, timed_out=False, timeout=60) == []


def test_django_migrate_commands_are_recognised_however_they_are_launched() -> None:
    for command in (["python", "manage.py", "migrate"], ["./manage.py", "migrate", "--noinput"],
                    ["django-admin", "migrate", "--settings", "site.settings"], ["python", "-m", "django", "migrate"],
                    ["sh", "-c", "python manage.py migrate && python manage.py collectstatic"],
                    ["python", "src/manage.py", "--verbosity", "2", "migrate"]):
        assert is_django_migrate(command), command
    for command in (["python", "manage.py", "makemigrations"], ["alembic", "upgrade", "head"],
                    ["python", "migrate.py"]):
        assert not is_django_migrate(command), command


def test_the_migrate_command_is_aimed_at_one_apps_migration_with_the_users_options_kept() -> None:
    assert aimed_command(["python", "manage.py", "migrate", "--noinput"], "blog", "0002_tags") == \
        ["python", "manage.py", "migrate", "blog", "0002_tags", "--noinput"]
    assert aimed_command(["django-admin", "migrate", "--database", "main", "-v", "2"], "blog", "zero") == \
        ["django-admin", "migrate", "blog", "zero", "--database", "main", "-v", "2"]
    assert aimed_command(["sh", "-c", "python src/manage.py migrate --settings=site.prod"], "auth", "0001_initial") == \
        ["python", "src/manage.py", "migrate", "auth", "0001_initial", "--settings=site.prod"]


def test_a_migrate_command_with_its_own_aim_or_more_shell_than_migrate_is_not_aimed() -> None:
    assert aimed_command(["python", "manage.py", "migrate", "blog"], "blog", "zero") is None
    assert aimed_command(["sh", "-c", "cd src && python manage.py migrate"], "blog", "zero") is None
    assert aimed_command(["python", "manage.py", "showmigrations"], "blog", "zero") is None
    # "migrate" as a path or an argument of something else is not Django's command.
    assert aimed_command(["./migrate", "up"], "blog", "zero") is None


def test_each_migration_is_undone_alone_by_going_to_its_apps_previous_one() -> None:
    rows = [("contenttypes", "0001_initial"), ("auth", "0001_initial"), ("contenttypes", "0002_remove"),
            ("auth", "0002_alter"), ("blog", "0001_initial")]
    assert previous_migrations(rows) == {
        "contenttypes.0001_initial": "zero", "auth.0001_initial": "zero",
        "contenttypes.0002_remove": "0001_initial", "auth.0002_alter": "0001_initial",
        "blog.0001_initial": "zero",
    }
