"""Step 1: start the profile's database and record how it came up."""

from __future__ import annotations

import time

from parity.env import pgtemplate
from parity.errors import EnvError, ImageLacks, ParityError
from parity.results import StepResult
from parity.steps import StepContext


def run_database(ctx: StepContext) -> StepResult:
    """Start the database (or note there is none)."""
    spec = ctx.profile.database
    if spec is None:
        return StepResult(status="skipped", summary="no database in this profile")
    started = time.monotonic()
    fingerprint = None
    if ctx.profile.data is not None and pgtemplate.enabled():
        # Loaded only for a profile with data: the data package is off a plain start's path.
        from parity.data.fingerprint import data_fingerprint

        fingerprint = data_fingerprint(ctx.profile, ctx.project_root, lambda: ctx.plan)
    statements = ctx.rehearse
    try:
        try:
            db = ctx.env.start_database(fingerprint, statements=statements)
        except EnvError as exc:
            if not statements or "pg_stat_statements" not in str(exc):
                raise
            # An image without pg_stat_statements: rehearse without it (lock_timeout unknown).
            ctx.say("the database image has no pg_stat_statements: lock_timeout statements will not be seen")
            ctx.env.remove_database()
            statements = False
            db = ctx.env.start_database(fingerprint, statements=False)
    except ImageLacks:
        raise  # not how this profile behaves: the image cannot make its database at all
    except ParityError as exc:
        return StepResult(status="error", duration_s=time.monotonic() - started,
                          summary="the database did not start", detail=ctx.redactor.text(str(exc)))
    assert db is not None
    for secret in db.redact:
        ctx.redactor.add(secret)
    facts: dict[str, object] = {"engine": db.engine, "server_version": db.server_version, "ssl": spec.ssl,
                                "superuser": spec.superuser, "ready_s": round(db.ready_s, 3)}
    if db.cluster_locale is not None:
        facts.update(db.cluster_locale.facts())
    if ctx.rehearse and spec.postgres:
        facts["pg_stat_statements"] = statements
    roles = ""
    if spec.postgres and spec.roles is not None:
        facts["roles"] = {"migrations": db.login("migrations").user, "app": db.login("app").user,
                          "default_privileges": spec.roles.default_privileges}
        roles = f", migrations as {db.login('migrations').user}, app as {db.login('app').user}"
    what = f"Postgres {db.server_version.split()[0]}" if spec.postgres else "SQLite file"
    collation = f", collation {db.cluster_locale.collation}" if db.cluster_locale else ""
    return StepResult(status="ok", duration_s=time.monotonic() - started,
                      summary=f"{what} ready in {db.ready_s:.1f}s{collation}{roles}" if spec.postgres else what,
                      facts=facts)
