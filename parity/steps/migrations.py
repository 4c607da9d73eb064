"""Step: run the migrations (per revision for Alembic) the way a release job would, then snapshot the schema."""

from __future__ import annotations

import contextlib
import shlex
import time

from parity.migrate.apply import after_applied, judge, roll_back, with_schema
from parity.migrate.plan import command_of
from parity.migrate.rehearsal import Rehearsal
from parity.results import StepResult
from parity.steps import StepContext


def run_migrations(ctx: StepContext) -> StepResult:
    """Apply the migrations; record each revision's outcome and the resulting schema."""
    spec = ctx.profile.migrations
    if spec is None:
        return StepResult(status="skipped", summary="no migrations in this profile")
    db = ctx.env.database
    if db is None:
        return StepResult(status="skipped", summary="no database to migrate")
    job = ctx.migrations_job()
    plan = ctx.plan
    start = "base"
    if ctx.profile.data is not None and plan.tool == "alembic":
        plan, current = after_applied(job, plan)
        start = current
        if not plan.revisions:
            return with_schema(job, StepResult(status="ok", summary=f"nothing to apply: the database is at {current}"))
    counted = f" ({len(plan.revisions)} revisions, one at a time)" if plan.revisions else ""
    ctx.say(f"migrations: {shlex.join(command_of(spec))}{counted}")
    rehearsal = Rehearsal(job, ctx.profile.traffic, spec.timeout) if ctx.rehearse and ctx.profile.postgres else None
    with rehearsal or contextlib.nullcontext():
        started = time.monotonic()
        output = job.run(plan.argv, spec.timeout, rehearsal.on_line if rehearsal else None)
        duration = time.monotonic() - started
    if isinstance(output, StepResult):
        return output
    result = judge(output, ctx.redactor, plan, spec.timeout, duration)
    if rehearsal is not None:
        rehearsal.apply(result)
    if result.status == "ok" or result.revisions:
        with_schema(job, result)
    if spec.rollback:
        roll_back(job, plan, result, start, spec.timeout)
    return result
