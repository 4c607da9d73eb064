"""Django's `migrate`: each migration it applied, with its duration, and the one that failed.

Django prints "  Applying app.0002_name..." when a migration starts (flushed, no newline) and
" OK" when it is done, so the output's own timing gives each migration's duration; a failing
migration is an "Applying" line with no OK, followed by the traceback."""

from __future__ import annotations

import re
import shlex

from parity.env.host import Line
from parity.evidence import excerpt
from parity.results import Revision

_MIGRATE = re.compile(r"(\bmanage\.py|\bdjango-admin|-m\s+django)\s+(\S+\s+)*?migrate\b")
_APPLYING = re.compile(r"^\s*Applying (\S+?)\.\.\.(.*)$")
_DONE = re.compile(r"^\s*(OK|FAKED)\b")


def is_django_migrate(command: list[str]) -> bool:
    """`python manage.py migrate`, `django-admin migrate`, `python -m django migrate` (also in a shell string)."""
    return bool(_MIGRATE.search(" ".join(command)))


def migration_results(lines: list[Line], timed_out: bool, timeout: float) -> list[Revision]:
    """The migrations the output shows applied (with durations), and the failed or unfinished one."""
    results: list[Revision] = []
    current: Revision | None = None
    started = 0.0
    error: list[str] = []
    for line in lines:
        match = _APPLYING.match(line.text)
        if match:
            name, rest = match.group(1), match.group(2)
            started = line.started
            if _DONE.match(rest):
                done = Revision(id=name, status="ok", duration_s=round(line.ended - line.started, 3))
                done._window = (line.started, line.ended)
                results.append(done)
                continue
            # No OK on the same line: the error (stderr in the same pipe) follows the dots.
            current = Revision(id=name, status="failed")
            error = [rest.strip()] if rest.strip() else []
            results.append(current)
        elif current is not None:
            error.append(line.text)
    if current is not None:
        ended = lines[-1].ended if lines else started
        current.duration_s = round(ended - started, 3)
        current._window = (started, ended)
        text = excerpt("\n".join(error), 15)
        current.error = f"timed out after {timeout:.0f}s\n{text}".strip() if timed_out else text
    return results


# migrate's options that take a value (the next word, when not given as --option=value).
_VALUED = {"--database", "--settings", "--pythonpath", "-v", "--verbosity"}
_SHELL_OPERATORS = re.compile(r"&&|\|\||[;|&<>()`$]")


def aimed_command(command: list[str], app: str, target: str) -> list[str] | None:
    """The user's migrate command aimed at one app's migration: `migrate APP TARGET` (TARGET a
    migration name, or `zero`), the user's options kept. None when it cannot be aimed: migrate
    given an app or migration of its own, or a shell string that does more than migrate."""
    if len(command) == 3 and command[:2] == ["sh", "-c"]:
        if _SHELL_OPERATORS.search(command[2]):
            return None
        try:
            words = shlex.split(command[2])
        except ValueError:
            return None
    else:
        words = list(command)
    at = _migrate_word(words)
    if at is None:
        return None
    rest = words[at + 1 :]
    skip = False
    for word in rest:
        if skip:
            skip = False
        elif word in _VALUED:
            skip = True
        elif not word.startswith("-"):
            return None  # `migrate myapp`: the user's own aim
    return [*words[: at + 1], app, target, *rest]


def _migrate_word(words: list[str]) -> int | None:
    for index, word in enumerate(words):
        if word == "migrate" and index > 0 and _MIGRATE.search(" ".join(words[: index + 1])):
            return index
    return None


def previous_migrations(applied: list[tuple[str, str]]) -> dict[str, str]:
    """For each applied migration ("app.name"), the migration of its app applied just before it
    ("zero" for an app's first): where `migrate app X` takes the database to undo it alone.
    `applied`: django_migrations' (app, name) rows in the order they were applied."""
    previous: dict[str, str] = {}
    last: dict[str, str] = {}
    for app, name in applied:
        previous[f"{app}.{name}"] = last.get(app, "zero")
        last[app] = name
    return previous


def applied_migrations(database_url: str, connect: dict[str, object] | None = None) -> list[tuple[str, str]]:
    """django_migrations' rows (app, name), in the order Django applied them."""
    from sqlalchemy import create_engine, text  # imported here: only a Django rollback needs it

    from parity.migrate.schema import connect_args, sqlalchemy_url

    engine = create_engine(sqlalchemy_url(database_url), connect_args=connect_args(database_url) | (connect or {}))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT app, name FROM django_migrations ORDER BY id"))
            return [(str(app), str(name)) for app, name in rows]
    finally:
        engine.dispose()
