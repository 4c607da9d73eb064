"""migrations.rollback: after head, each revision the run applied is downgraded in turn, down to
where the run started, then upgraded again; a revision whose downgrade fails, whose upgrade
fails the second time, or whose round trip leaves another schema than it had, is reported.

Alembic (`downgrade` to the revision below, the per-revision upgrade again) and Django (`migrate
APP PREVIOUS`, where PREVIOUS is the app's migration applied just before, or `zero`; then
`migrate APP NAME`). One process per step, so parity can read the schema between steps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from parity.env.host import Finished
from parity.evidence import excerpt, key_line
from parity.migrate.alembic_revisions import (
    MARK,
    AlembicUpgrade,
    RevisionInfo,
    downgrade_command,
    per_revision_command,
)
from parity.migrate.job import Job
from parity.migrate.schema import schema_differences
from parity.results import Revision, RoundTrip, StepResult


@dataclass(frozen=True)
class Steps:
    """argv taking one applied revision off (the database goes to the level below it) and
    putting it back on; each gets the revisions the run applied, in order, and an index."""

    down: Callable[[list[Revision], int], list[str]]
    up: Callable[[list[Revision], int], list[str]]


def alembic_steps(upgrade: AlembicUpgrade, start: str) -> Steps:
    """Alembic: downgrade to the revision below (`start` under the first), upgrade that one again."""
    return Steps(
        down=lambda applied, i: downgrade_command(upgrade, applied[i - 1].id if i else start),
        up=lambda applied, i: per_revision_command(upgrade, [RevisionInfo(applied[i].id, applied[i].description)]),
    )


def roll_back_and_forth(job: Job, result: StepResult, start: str, steps: Steps, timeout: float) -> None:
    """Round-trip the revisions `result` applied; record each one's RoundTrip and a summary in
    result.facts["rollback"]. `start`: where the run started from ("base" when empty)."""
    applied = [r for r in result.revisions if r.status == "ok"]
    if not applied or result.status != "ok":
        return
    levels = [start, *(r.id for r in applied)]  # levels[i]: the revision below applied[i]
    # Each level's schema on the way down (the head's: what the migrations left), to compare with
    # the same level on the way up.
    schemas: dict[str, dict[str, Any]] = {applied[-1].id: result.schema_snapshot or job.current_schema()}
    job.say(f"rollback: downgrading {len(applied)} revisions one at a time, down to {start}")
    lowest = len(applied)
    for index in reversed(range(len(applied))):
        revision, below = applied[index], levels[index]
        revision.rollback = trip = RoundTrip()
        if not _attempt(job, trip, "downgrade", steps.down(applied, index), timeout):
            break
        schemas[below] = job.current_schema()
        lowest = index
    job.say(f"rollback: upgrading again from {levels[lowest]}")
    # What differed at the level below: a loss made lower down shows again at every level above;
    # it is reported at the revision where it first appears.
    carried: set[str] = set()
    for index in range(lowest, len(applied)):
        revision = applied[index]
        back = revision.rollback
        assert back is not None and back.downgrade == "ok"  # from `lowest` up, each came down
        if not _attempt(job, back, "upgrade", steps.up(applied, index), timeout):
            break
        again = job.current_schema()
        before = schemas.get(revision.id)
        if before is not None and "error" not in before and "error" not in again:
            changes = list(schema_differences(before, again))
            back.schema_changes = [f"{what}: {first} before, {second} after"
                                   for what, first, second in changes if what not in carried]
            carried = {what for what, _, _ in changes}
    broken = [r for r in applied if r.rollback and r.rollback.broken]
    result.facts["rollback"] = {"revisions": len(applied), "start": start, "broken": [r.id for r in broken]}
    if broken:
        result.summary = f"{result.summary}; rollback broken at {', '.join(r.id for r in broken)}"[:300]


def _attempt(job: Job, trip: RoundTrip, way: Literal["downgrade", "upgrade"], argv: list[str],
             timeout: float) -> bool:
    """One way of a round trip, timed and recorded in `trip`; whether it worked."""
    started = time.monotonic()
    output = job.run(argv, timeout, None)
    setattr(trip, f"{way}_s", round(time.monotonic() - started, 3))
    if isinstance(output, StepResult):  # could not run at all
        output = Finished(code=1, lines=[], started=time.time())
    if output.code != 0:
        setattr(trip, way, "failed")
        trip.error = _error(job.redactor.text(output.text), output.code, timeout)
        return False
    setattr(trip, way, "ok")
    return True


def _error(text: str, code: int | None, timeout: float) -> str:
    if code is None:
        return f"timed out after {timeout:.0f}s\n{excerpt(text, 15)}"
    lines = [line for line in text.splitlines() if not line.startswith(MARK)]
    return excerpt("\n".join(lines), 15) or key_line(text)
