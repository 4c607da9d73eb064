"""Step 2: production-sized data before the migrations under test.

`data.at` first migrates to the revision production is at; then the database is filled from
`data.rows` (generated in the server), `data.seed` (the app's own factory, on this machine) or
`data.restore` (a pg_dump file). The filled cluster is then committed as an image keyed by
everything that made it (the cluster it started from, the revisions up to `at` and their
scripts, the source), so the next run starts from it instead of filling again.
"""

from __future__ import annotations

import time

from parity.data.fill import (
    analyze,
    database_bytes,
    fill_rows,
    prepare_to_cache,
    save_filled_cluster,
)
from parity.data.fingerprint import source_of
from parity.data.rows import CannotGenerate
from parity.data.samples import bytes_per_row, fits, free_bytes, save_sample, saved_samples
from parity.env.database import Database
from parity.env.dump import restore_dump
from parity.env.host import HostCommand
from parity.evidence import excerpt, key_line
from parity.migrate.apply import migrate_to
from parity.migrate.extrapolate import sample_sizes
from parity.profile.models import DataSpec
from parity.results import StepResult
from parity.steps import StepContext


def run_data(ctx: StepContext) -> StepResult:
    """Fill the database as the profile's data section says (or start from the cached fill)."""
    spec = ctx.profile.data
    if spec is None:
        return StepResult(status="skipped", summary="no data in this profile")
    db = ctx.env.database
    if db is None or not ctx.profile.postgres:
        return StepResult(status="error", summary="data needs a Postgres database")
    facts: dict[str, object] = {"source": source_of(spec), "at": spec.at, "cached": db.started_filled}
    if db.started_filled:
        facts.update(database_bytes=database_bytes(db), image=db.filled_ref)
        if spec.rows and (samples := saved_samples(db)):
            facts["samples"] = samples
        return StepResult(status="ok", summary=f"{describe(spec)}{_sampled(facts)}: the cached filled cluster "
                          f"({_size(facts['database_bytes'])}), ready in {db.ready_s:.1f}s", facts=facts)
    started = time.monotonic()
    if spec.at:
        migrations = ctx.profile.migrations
        assert migrations is not None  # checked before the run (check_data)
        migrated = migrate_to(ctx.migrations_job(), ctx.plan, spec.at, migrations.timeout)
        if migrated.status != "ok":
            return StepResult(status="failed", summary=f"migrating to {spec.at} failed: {migrated.summary}",
                              detail=migrated.detail, revisions=migrated.revisions, facts=facts)
        facts["at_s"] = round(time.monotonic() - started, 3)
    filling = time.monotonic()
    if db.filled_ref:
        prepare_to_cache(db)
    failure = _fill(ctx, db, spec, facts)
    if failure is not None:
        return failure
    facts["fill_s"] = round(time.monotonic() - filling, 3)
    facts["database_bytes"] = database_bytes(db)
    if db.filled_ref:
        saving = time.monotonic()
        ctx.say(f"data: caching the filled cluster as {db.filled_ref}")
        ctx.env.check_open()
        save_filled_cluster(ctx.client, db, ctx.env.labels("database"))
        facts.update(image=db.filled_ref, save_s=round(time.monotonic() - saving, 3))
    return StepResult(status="ok", summary=f"{describe(spec)}{_sampled(facts)}: filled in {facts['fill_s']:.1f}s "
                      f"({_size(facts['database_bytes'])})", facts=facts)


def describe(spec: DataSpec) -> str:
    """What fills the database, in a few words."""
    if spec.rows:
        what = ", ".join(f"{n:,} rows in {table}" for table, n in spec.rows.items())
    elif spec.seed:
        what = f"seeded by {spec.seed if isinstance(spec.seed, str) else ' '.join(spec.seed)}"
    else:
        what = f"restored from {spec.restore}"
    return f"{what} at {spec.at}" if spec.at else what


def _fill(ctx: StepContext, db: Database, spec: DataSpec, facts: dict[str, object]) -> StepResult | None:
    """Fill from the spec's source; a failed StepResult if it fails."""
    import psycopg
    if spec.rows:
        try:
            sizes = _sample_sizes(ctx, db, spec, facts)
            if sizes:
                _fill_samples(ctx, db, spec, sizes, facts)
            else:
                facts["rows"] = fill_rows(db, spec.rows, ctx.say, spec.timeout)
        except CannotGenerate as exc:
            return StepResult(status="error", summary=f"data.rows: {exc}", detail=str(exc), facts=facts)
        except psycopg.Error as exc:
            message = ctx.redactor.text(str(exc).strip())
            return StepResult(status="failed", summary=f"data.rows: {key_line(message)}", detail=message,
                              facts=facts)
    elif spec.seed:
        argv = spec.seed if isinstance(spec.seed, list) else ["sh", "-c", spec.seed]
        ctx.say(f"data: seeding with {' '.join(argv)}")
        output = HostCommand(argv, ctx.project_root, ctx.host_environment("migrations"), spec.timeout).run(ctx.env)
        if output.code != 0:
            return _failed("data.seed", output.code, ctx.redactor.text(output.text), spec.timeout, facts)
        analyze(db)
    else:
        assert spec.restore is not None
        dump = ctx.project_root / spec.restore
        ctx.say(f"data: restoring {spec.restore}")
        profile_db = ctx.profile.database
        assert profile_db is not None
        restored = restore_dump(ctx.env.placement, db, profile_db, dump, data_only=spec.at is not None,
                                timeout=spec.timeout)
        if restored.code != 0:
            return _failed("data.restore", restored.code, ctx.redactor.text(restored.output), spec.timeout, facts)
        analyze(db)
    return None


# The largest sample when data.samples is not given: big enough that a rewrite's time is mostly
# its per-row cost, small enough to fill in seconds.
LARGEST_SAMPLE = 200_000


def _sample_sizes(ctx: StepContext, db: Database, spec: DataSpec, facts: dict[str, object]) -> list[int]:
    """The sample sizes to rehearse at instead of production's rows ([] to fill them all): asked
    for (data.extrapolate), or production's rows, with room for a rewrite, need more disk than the
    server has free (measured on a probe that is rolled back)."""
    if spec.extrapolate:
        facts["extrapolate"] = "data.extrapolate"
    else:
        production = sum(spec.rows.values())
        needed = bytes_per_row(db, spec.rows) * production
        free = free_bytes(ctx.client, db)
        if fits(needed, free):
            return []
        facts["extrapolate"] = (f"{production:,} rows need about {_size(needed)} ({_size(free)} free where the "
                                "server keeps its data, a rewrite needs room for a second copy)")
    return spec.samples or sample_sizes(max(spec.rows.values()), LARGEST_SAMPLE)


def _fill_samples(ctx: StepContext, db: Database, spec: DataSpec, sizes: list[int],
                  facts: dict[str, object]) -> None:
    """Fill up to each sample size in turn, keeping each as a sample database (the migrations are
    rehearsed at every one, then their figures extrapolated to production's rows)."""
    ctx.say(f"data: rehearsing at samples of {', '.join(f'{s:,}' for s in sizes)} rows ({facts['extrapolate']})")
    filled: dict[str, int] = {}
    for size in sizes:
        wanted = spec.sample_rows(size)
        more = {table: n - filled.get(table, 0) for table, n in wanted.items() if n > filled.get(table, 0)}
        if more:
            fill_rows(db, more, ctx.say, spec.timeout)
        filled = wanted
        save_sample(db, size)
    facts.update(samples=sizes, rows={table: {"rows": n} for table, n in filled.items()})


def _sampled(facts: dict[str, object]) -> str:
    """The sample sizes the cluster keeps, in a few words for the step's summary ('' without)."""
    kept = facts.get("samples")
    return f", samples of {', '.join(f'{n:,}' for n in kept)} rows to extrapolate from" if isinstance(kept, list) else ""


def _failed(key: str, code: int | None, text: str, timeout: float, facts: dict[str, object]) -> StepResult:
    """A fill command that failed (code None: stopped at its timeout), with its output."""
    why = f"timed out after {timeout:.0f}s" if code is None else f"exit {code}"
    return StepResult(status="failed", summary=f"{key} {why}: {key_line(text)}"[:300], detail=excerpt(text), facts=facts)


def _size(value: object) -> str:
    size = int(value) if isinstance(value, int | float) else 0
    return f"{size / 2**30:.1f} GiB" if size >= 10 * 2**30 else f"{size / 2**20:.0f} MiB"
