"""Django's `migrate`: each migration it applied, with its duration, and the one that failed.

Django prints "  Applying app.0002_name..." when a migration starts (flushed, no newline) and
" OK" when it is done, so the output's own timing gives each migration's duration; a failing
migration is an "Applying" line with no OK, followed by the traceback."""

from __future__ import annotations

import re

from parity.env.host import Line
from parity.evidence import tail
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
        text = tail("\n".join(error), 15)
        current.error = f"timed out after {timeout:.0f}s\n{text}".strip() if timed_out else text
    return results
