"""Applying migrations through a `Job`: the command's output read into a step result (per revision
for Alembic, per migration for Django), data.at's partial upgrade, what the database already has,
and migrations.rollback's round trips."""

from __future__ import annotations

import time

from parity.env.host import Finished
from parity.evidence import excerpt, key_line, tail
from parity.migrate.alembic_revisions import MARK, RevisionInfo
from parity.migrate.django_migrations import (
    aimed_command,
    applied_migrations,
    migration_results,
    previous_migrations,
)
from parity.migrate.job import Job
from parity.migrate.plan import Plan, revisions_up_to
from parity.migrate.rollback import Steps, alembic_steps, roll_back_and_forth
from parity.redact import Redactor
from parity.results import Revision, StepResult


def migrate_to(job: Job, plan: Plan, at: str, timeout: float) -> StepResult:
    """Apply the Alembic revisions up to and including `at` (data.at: where production is)."""
    upto = plan.only(revisions_up_to(plan, at))
    job.say(f"data: migrating to {at} first ({len(upto.revisions)} revisions)")
    started = time.monotonic()
    output = job.run(upto.argv, timeout, None)
    if isinstance(output, StepResult):
        return output
    return judge(output, job.redactor, upto, timeout, time.monotonic() - started)


def with_schema(job: Job, result: StepResult) -> StepResult:
    """The result with the schema the migrations left."""
    result.schema_snapshot = job.current_schema()
    if "error" in result.schema_snapshot:
        # Not the app's failure, but the schemas were not compared: say so where it is read.
        result.summary = f"{result.summary}; schema not read: {result.schema_snapshot['error']}"[:300]
    return result


def after_applied(job: Job, plan: Plan) -> tuple[Plan, str]:
    """The plan without the revisions the database already has (data.at, a restored dump)."""
    import psycopg
    with psycopg.connect(**job.database.connect_kwargs("migrations")) as conn:  # type: ignore[arg-type]
        exists = conn.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
        current = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")] if exists and exists[0] else []
    ids = [r.id for r in plan.revisions]
    positions = [ids.index(version) for version in current if version in ids]
    if not positions:
        return plan, "base"
    last = max(positions)
    return plan.only(plan.revisions[last + 1 :]), ids[last]


def judge(output: Finished, redactor: Redactor, plan: Plan, timeout: float, duration: float) -> StepResult:
    """The step's result from the command's output, every text in it redacted."""
    text = redactor.text(output.text)
    timed_out = output.code is None
    if plan.tool == "alembic":
        results = _per_revision(output, plan.revisions, timeout)
    elif plan.tool == "django":
        results = migration_results(output.lines, timed_out, timeout)
    else:
        results = []
    for revision in results:
        revision.error = redactor.text(revision.error)
    if timed_out:
        summary = f"timed out after {timeout:.0f}s"
        running = next((r for r in results if r.status == "failed"), None)
        if running:
            summary += f" in revision {running.id}"
        return StepResult(status="failed", duration_s=duration, summary=summary,
                          detail=excerpt(text), revisions=results, facts={"timed_out": True})
    if output.code == 0:
        unit = "migrations" if plan.tool == "django" else "revisions"
        applied = f"{len(results)} {unit} applied" if results else "migrations applied"
        return StepResult(status="ok", duration_s=duration, summary=applied, revisions=results, detail=tail(text, 8))
    failed = next((r for r in results if r.status == "failed"), None)
    said = key_line(text)
    summary = (f"revision {failed.id} failed: {key_line(failed.error)}" if failed
               else f"exit {output.code}: {said}" if said else f"exit {output.code}, with no output")
    return StepResult(status="failed", duration_s=duration, summary=summary[:300], detail=excerpt(text),
                      revisions=results, facts={"exit_code": output.code})


def _per_revision(output: Finished, revisions: list[RevisionInfo], timeout: float) -> list[Revision]:
    by_id = {r.id: Revision(id=r.id, description=r.description) for r in revisions}
    current: str | None = None
    started_at = output.started
    buffer: list[str] = []
    failed: str | None = None
    for line in output.lines:
        if line.text.startswith(MARK):
            kind, _, rest = line.text[len(MARK) + 1 :].partition(" ")
            rev_id = rest.split(" ")[0]
            if kind == "start":
                current, started_at, buffer = rev_id, line.ended, []
            elif rev_id in by_id:
                by_id[rev_id].status = "ok" if kind == "done" else "failed"
                by_id[rev_id].duration_s = round(line.ended - started_at, 3)
                by_id[rev_id]._window = (started_at, line.ended)
                if kind == "failed":
                    failed = rev_id
                current = None
        elif current or failed:
            # Lines after a failure marker are still that revision's error (a safeguard: the
            # per-revision command sends everything through one pipe).
            buffer.append(line.text)
    if failed:
        by_id[failed].error = excerpt("\n".join(buffer), 15)
    if current and current in by_id:  # still running when the timeout struck
        by_id[current].status = "failed"
        by_id[current].error = f"timed out after {timeout:.0f}s\n" + excerpt("\n".join(buffer), 15)
        ended = output.lines[-1].ended if output.lines else started_at
        by_id[current].duration_s = round(ended - started_at, 3)
        by_id[current]._window = (started_at, time.time())  # until it was stopped, just now
    return list(by_id.values())


def roll_back(job: Job, plan: Plan, result: StepResult, start: str, timeout: float) -> None:
    """migrations.rollback: Alembic's revisions or Django's migrations down and up again; other
    tools say it is not done."""
    if plan.tool == "alembic" and plan.upgrade is not None:
        steps = alembic_steps(plan.upgrade, start)
    elif plan.tool == "django":
        found = _django_steps(job, plan.argv, result)
        if isinstance(found, str):
            result.facts["rollback"] = {"skipped": found}
            return
        steps, start = found, "the run's start"
    else:
        result.facts["rollback"] = {"skipped": "rollback needs Alembic revisions parity can read, or Django's "
                                               f"migrate (this is {plan.tool})"}
        return
    roll_back_and_forth(job, result, start, steps, timeout)


def _django_steps(job: Job, command: list[str], result: StepResult) -> Steps | str:
    """migrate APP PREVIOUS / migrate APP NAME for each migration the run applied, or why not."""
    if result.status != "ok" or not result.revisions:
        return "no migrations were applied"
    if aimed_command(command, "app", "zero") is None:
        return ("the migrations command cannot be aimed at one migration (migrate given an app of its own, "
                "or a shell string that does more than migrate)")
    db = job.database
    try:
        rows = applied_migrations(db.url("host", "migrations", direct=True),
                                  db.connect_kwargs("migrations") if db.engine == "postgres" else None)
    except Exception as exc:  # noqa: BLE001 - any driver's error: report it, do not crash the run
        return f"django_migrations could not be read: {job.redactor.text(str(exc).splitlines()[0])}"
    previous = previous_migrations(rows)
    missing = [r.id for r in result.revisions if r.status == "ok" and r.id not in previous]
    if missing:
        return f"{missing[0]} is not in django_migrations"

    def aim(revision: Revision, target: str) -> list[str]:
        app = revision.id.split(".", 1)[0]
        aimed = aimed_command(command, app, target)
        assert aimed is not None
        return aimed

    return Steps(down=lambda applied, i: aim(applied[i], previous[applied[i].id]),
                 up=lambda applied, i: aim(applied[i], applied[i].id.split(".", 1)[1]))
