"""Step: run the migrations (per revision for Alembic) the way a release job would, then snapshot the schema.

With data at sample sizes (data.extrapolate), the migrations under test are first rehearsed at each
smaller sample, the app's database put back at that sample each time, then at the largest as the
step itself; each revision's figures are then fitted and estimated at production's size."""

from __future__ import annotations

import contextlib
import shlex
import time

from parity.data.samples import restore_sample, saved_samples
from parity.migrate.apply import after_applied, judge, roll_back, with_schema
from parity.migrate.extrapolate import estimate, figures_of
from parity.migrate.plan import Plan, command_of
from parity.migrate.rehearsal import Rehearsal
from parity.results import SampleFigures, StepResult
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
    plan, start = ctx.plan, "base"
    if ctx.profile.data is not None and plan.tool == "alembic":
        plan, start = after_applied(job, plan)
        if not plan.revisions:
            done = StepResult(status="ok", summary=f"nothing to apply: the database is at {start}")
            return with_schema(job, done) if ctx.read_schema else done
    data = ctx.profile.data
    samples = saved_samples(db) if data is not None and data.rows and ctx.profile.postgres else []
    figures: dict[str, list[SampleFigures]] = {}
    for size in samples:
        restore_sample(db, size)
        if size == samples[-1]:
            break
        sampled = _apply(ctx, plan, f"the sample of {size:,} rows")
        for revision in sampled.revisions:
            found = figures_of(size, revision)
            if found is not None:
                figures.setdefault(revision.id, []).append(found)
    result = _apply(ctx, plan, f"the sample of {samples[-1]:,} rows" if samples else "")
    if samples and data is not None:
        production = max(data.rows.values())
        for revision in result.revisions:
            found = figures_of(samples[-1], revision)
            if found is not None:
                revision.estimate = estimate([*figures.get(revision.id, []), found], production)
        result.facts["extrapolated"] = {"rows": production, "samples": samples}
        result.summary = f"{result.summary}{_estimated(result, production)}"[:300]
    if ctx.read_schema and (result.status == "ok" or result.revisions):
        with_schema(job, result)
    if spec.rollback:
        roll_back(job, plan, result, start, spec.timeout)
    return result


def _apply(ctx: StepContext, plan: Plan, where: str) -> StepResult:
    """The migrations under test (`plan`), once, under the rehearsal when the run measures them."""
    spec = ctx.profile.migrations
    assert spec is not None
    job = ctx.migrations_job()
    counted = f" ({len(plan.revisions)} revisions, one at a time)" if plan.revisions else ""
    at = f", at {where}" if where else ""
    ctx.say(f"migrations: {shlex.join(command_of(spec))}{counted}{at}")
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
    return result


def _estimated(result: StepResult, production: int) -> str:
    """The revision estimated to block longest at production's size, in a few words."""
    estimated = [r for r in result.revisions if r.estimate is not None]
    if not estimated:
        return ""
    worst = max(estimated, key=lambda r: r.estimate.blocking_s if r.estimate else 0.0)
    assert worst.estimate is not None
    fitted = worst.estimate.fits["blocking_s"].model
    return f"; estimated at {production:,} rows: {worst.id} blocks up to {worst.estimate.blocking_s:.2f}s ({fitted} fit)"
