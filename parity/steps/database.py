"""Step 1: start the profile's database and record how it came up."""

from __future__ import annotations

import time

from parity.env import pgtemplate
from parity.errors import ParityError
from parity.results import StepResult
from parity.steps.context import StepContext
from parity.steps.data import data_fingerprint


def run_database(ctx: StepContext) -> StepResult:
    """Start the database (or note there is none)."""
    spec = ctx.profile.database
    if spec is None:
        return StepResult(status="skipped", summary="no database in this profile")
    started = time.monotonic()
    fingerprint = data_fingerprint(ctx.profile, ctx.project_root) if pgtemplate.enabled() else None
    try:
        db = ctx.env.start_database(fingerprint, statements=ctx.rehearse)
    except ParityError as exc:
        return StepResult(status="error", duration_s=time.monotonic() - started,
                          summary="the database did not start", detail=ctx.redactor.text(str(exc)))
    assert db is not None
    for secret in db.redact:
        ctx.redactor.add(secret)
    facts = {"engine": db.engine, "server_version": db.server_version, "ssl": spec.ssl,
             "superuser": spec.superuser, "ready_s": round(db.ready_s, 3)}
    what = f"Postgres {db.server_version.split()[0]}" if db.engine == "postgres" else "SQLite file"
    return StepResult(status="ok", duration_s=time.monotonic() - started,
                      summary=f"{what} ready in {db.ready_s:.1f}s" if db.engine == "postgres" else what,
                      facts=facts)
