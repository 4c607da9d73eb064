"""Step 2: run the migrations (per revision for Alembic) the way a release job would, then snapshot the schema."""

from __future__ import annotations

import contextlib
import shlex
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import docker.errors

from parity.env.app import container_options
from parity.env.host import Finished, HostCommand, Line, LineSplitter
from parity.errors import UsageError
from parity.evidence import excerpt, key_line, tail
from parity.profile.models import MigrationsSpec, Profile
from parity.report.redact import Redactor
from parity.results import Revision, StepResult
from parity.steps.alembic_revisions import (
    MARK,
    AlembicUpgrade,
    RevisionInfo,
    discover_revisions,
    parse_upgrade,
    per_revision_command,
)
from parity.steps.context import StepContext
from parity.steps.django_migrations import (
    aimed_command,
    applied_migrations,
    is_django_migrate,
    migration_results,
    previous_migrations,
)
from parity.steps.rehearsal import Rehearsal
from parity.steps.rollback import Steps, alembic_steps, roll_back_and_forth
from parity.steps.schema import current_schema


@dataclass(frozen=True)
class Plan:
    """How the migrations command runs, and how its output is read."""

    argv: list[str]  # what actually runs (the user's command, or a per-revision form of it)
    tool: Literal["alembic", "django", "command"]
    revisions: list[RevisionInfo] = field(default_factory=list)
    upgrade: AlembicUpgrade | None = None

    def only(self, revisions: list[RevisionInfo]) -> Plan:
        """This Alembic plan narrowed to some of its revisions."""
        assert self.upgrade is not None
        return Plan(per_revision_command(self.upgrade, revisions), "alembic", revisions, self.upgrade)


def run_migrations(ctx: StepContext) -> StepResult:
    """Apply the migrations; record each revision's outcome and the resulting schema."""
    spec = ctx.profile.migrations
    if spec is None:
        return StepResult(status="skipped", summary="no migrations in this profile")
    db = ctx.env.database
    if db is None:
        return StepResult(status="skipped", summary="no database to migrate")
    plan = plan_of(ctx)
    start = "base"
    if ctx.profile.data is not None and plan.tool == "alembic":
        plan, current = _after_applied(ctx, plan)
        start = current
        if not plan.revisions:
            return _with_schema(ctx, StepResult(status="ok", summary=f"nothing to apply: the database is at {current}"))
    counted = f" ({len(plan.revisions)} revisions, one at a time)" if plan.revisions else ""
    ctx.say(f"migrations: {shlex.join(command_of(spec))}{counted}")
    rehearsal = Rehearsal(ctx, spec.timeout) if ctx.rehearse and db.engine == "postgres" else None
    with rehearsal or contextlib.nullcontext():
        started = time.monotonic()
        output = execute(ctx, plan.argv, spec.timeout, rehearsal.on_line if rehearsal else None)
        duration = time.monotonic() - started
    if isinstance(output, StepResult):
        return output
    result = _judge(output, ctx.redactor, plan, spec.timeout, duration)
    if rehearsal is not None:
        rehearsal.apply(result)
    if result.status == "ok" or result.revisions:
        _with_schema(ctx, result)
    if spec.rollback:
        _rollback(ctx, plan, result, start)
    return result


def _rollback(ctx: StepContext, plan: Plan, result: StepResult, start: str) -> None:
    """migrations.rollback: Alembic's revisions or Django's migrations down and up again; other
    tools say it is not done."""
    spec = ctx.profile.migrations
    assert spec is not None
    if plan.tool == "alembic" and plan.upgrade is not None:
        steps = alembic_steps(plan.upgrade, start)
    elif plan.tool == "django":
        found = _django_steps(ctx, command_of(spec), result)
        if isinstance(found, str):
            result.facts["rollback"] = {"skipped": found}
            return
        steps, start = found, "the run's start"
    else:
        result.facts["rollback"] = {"skipped": "rollback needs Alembic revisions parity can read, or Django's "
                                               f"migrate (this is {plan.tool})"}
        return
    roll_back_and_forth(ctx, result, start, steps, lambda argv: execute(ctx, argv, spec.timeout), spec.timeout)


def _django_steps(ctx: StepContext, command: list[str], result: StepResult) -> Steps | str:
    """migrate APP PREVIOUS / migrate APP NAME for each migration the run applied, or why not."""
    if result.status != "ok" or not result.revisions:
        return "no migrations were applied"
    if aimed_command(command, "app", "zero") is None:
        return ("the migrations command cannot be aimed at one migration (migrate given an app of its own, "
                "or a shell string that does more than migrate)")
    db = ctx.env.database
    assert db is not None
    try:
        rows = applied_migrations(db.url_host, db.connect_kwargs() if db.engine == "postgres" else None)
    except Exception as exc:  # noqa: BLE001 - any driver's error: report it, do not crash the run
        return f"django_migrations could not be read: {ctx.redactor.text(str(exc).splitlines()[0])}"
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


def _with_schema(ctx: StepContext, result: StepResult) -> StepResult:
    """The result with the schema the migrations left."""
    result.schema_snapshot = current_schema(ctx)
    if "error" in result.schema_snapshot:
        # Not the app's failure, but the schemas were not compared: say so where it is read.
        result.summary = f"{result.summary}; schema not read: {result.schema_snapshot['error']}"[:300]
    return result


def migrate_to(ctx: StepContext, at: str) -> StepResult:
    """Apply the Alembic revisions up to and including `at` (data.at: where production is)."""
    spec = ctx.profile.migrations
    assert spec is not None  # checked before the run (check_data_at)
    plan = plan_of(ctx)
    upto = plan.only(revisions_up_to(plan, at))
    ctx.say(f"data: migrating to {at} first ({len(upto.revisions)} revisions)")
    started = time.monotonic()
    output = execute(ctx, upto.argv, spec.timeout)
    if isinstance(output, StepResult):
        return output
    return _judge(output, ctx.redactor, upto, spec.timeout, time.monotonic() - started)


def command_of(spec: MigrationsSpec) -> list[str]:
    """The migrations command as argv (a string runs through sh -c)."""
    return spec.command if isinstance(spec.command, list) else ["sh", "-c", spec.command]


def plan_of(ctx: StepContext) -> Plan:
    """plan_for the step's profile, worked out once per profile run: the data step (its cache key,
    data.at) and the migrations step read the same Alembic scripts."""
    if ctx.plan is None:
        ctx.plan = plan_for(ctx.profile, ctx.project_root)
    plan: Plan = ctx.plan
    return plan


def plan_for(profile: Profile, root: Path) -> Plan:
    """How the profile's migrations command will run: per revision for Alembic, as given otherwise."""
    assert profile.migrations is not None
    command = command_of(profile.migrations)
    if is_django_migrate(command):
        return Plan(command, "django")
    upgrade = parse_upgrade(command)
    if upgrade is None:
        return Plan(command, "command")
    # The scripts as the command will see them: in the build context for a release job.
    base = root
    if profile.migrations.run_in == "app" and profile.app:
        if not profile.app.build:
            return Plan(command, "command")  # a prebuilt image: its scripts are not on this machine
        base = root / profile.app.build
    revisions = discover_revisions(upgrade, base)
    if not revisions:
        return Plan(command, "command")
    return Plan(per_revision_command(upgrade, revisions), "alembic", revisions, upgrade)


def revisions_up_to(plan: Plan, at: str) -> list[RevisionInfo]:
    """The plan's revisions up to `at` (a full id or a unique prefix, as Alembic takes them)."""
    if plan.tool != "alembic":
        raise UsageError(
            "data.at needs migrations parity applies revision by revision (Alembic: alembic upgrade, "
            "python -m alembic upgrade, flask db upgrade), with its scripts on this machine",
            "remove data.at (and fill with data.seed or data.restore), or use an Alembic migrations command")
    found = [r for r in plan.revisions if r.id == at] or [r for r in plan.revisions if r.id.startswith(at)]
    if len(found) != 1:
        known = ", ".join(r.id for r in plan.revisions)
        raise UsageError(f"data.at: {at!r} is not {'a unique' if found else 'a'} revision the migrations apply "
                         f"({known})", "set data.at to one of those revision ids")
    return plan.revisions[: plan.revisions.index(found[0]) + 1]


def _after_applied(ctx: StepContext, plan: Plan) -> tuple[Plan, str]:
    """The plan without the revisions the database already has (data.at, a restored dump)."""
    import psycopg
    db = ctx.env.database
    assert db is not None
    with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
        exists = conn.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
        current = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")] if exists and exists[0] else []
    ids = [r.id for r in plan.revisions]
    positions = [ids.index(version) for version in current if version in ids]
    if not positions:
        return plan, "base"
    last = max(positions)
    return plan.only(plan.revisions[last + 1 :]), ids[last]


def execute(ctx: StepContext, argv: list[str], timeout: float,
            on_line: Callable[[Line], None] | None = None) -> Finished | StepResult:
    """Run a migrations command where the profile says (a release job or this machine); a
    StepResult when it cannot run at all. `on_line` hears each line of output as it comes."""
    spec = ctx.profile.migrations
    assert spec is not None
    if spec.run_in == "app":
        if ctx.image is None:
            return StepResult(status="error", summary="migrations run_in: app, but the profile has no app",
                              detail="set migrations.run_in: host, or add an app section")
        return _in_container(ctx, argv, timeout, on_line)
    output = HostCommand(argv, ctx.project_root, ctx.host_environment(), timeout).run(ctx.env, on_line)
    if output.not_found:
        message = f"migrations command not found on this machine: {output.not_found}"
        return StepResult(status="error", summary=message, detail=message)
    return output


def _judge(output: Finished, redactor: Redactor, plan: Plan, timeout: float, duration: float) -> StepResult:
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
    summary = f"revision {failed.id} failed: {key_line(failed.error)}" if failed else f"exit {output.code}: {key_line(text)}"
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


def _in_container(ctx: StepContext, command: list[str], timeout: float,
                  on_line: Callable[[Line], None] | None = None) -> Finished:
    """A one-off container from the app image on the environment's network, like a release job.

    Its output is read as it comes (Docker's attach stream, timed here), with stderr sent into
    stdout by a shell so an error stays in order with what the tool printed before it."""
    if command[0] == "sh":  # already a shell: the user's string, or the per-revision form
        return _release_job(ctx, command, timeout, on_line=on_line)
    try:
        return _release_job(ctx, ["sh", "-c", 'exec 2>&1; exec "$@"', "parity-migrations", *command], timeout,
                            wrapped=True, on_line=on_line)
    except _NoShell:
        return _release_job(ctx, command, timeout, on_line=on_line)  # an image without a shell (distroless)


class _NoShell(Exception):
    """The app image has no `sh`."""


def _release_job(ctx: StepContext, command: list[str], timeout: float, wrapped: bool = False,
                 on_line: Callable[[Line], None] | None = None) -> Finished:
    assert ctx.image is not None and ctx.profile.app is not None
    options = container_options(ctx.profile.app, environment=ctx.container_environment(),
                                mounts=ctx.delivery.mounts, labels=ctx.env.labels("migrations"))
    options["command"] = command
    options.pop("nano_cpus", None)
    ctx.env.check_open()
    container = ctx.client.containers.create(
        ctx.image.ref, name=f"parity-{ctx.env.env_id}-migrations", network=ctx.env.network_name, **options
    )
    splitter = LineSplitter(on_line)
    started = time.time()
    code: int | None
    try:
        stream = container.attach(stdout=True, stderr=True, stream=True, logs=True)
        reader = threading.Thread(target=_pump, args=(stream, splitter), daemon=True, name="parity-release-job")
        reader.start()
        try:
            container.start()
        except docker.errors.APIError as exc:
            if "executable file not found" in str(exc) or "no such file or directory" in str(exc):
                if wrapped:
                    raise _NoShell from None
                raise _not_in_image(ctx, program=repr(command[0])) from None
            raise
        try:
            code = int(container.wait(timeout=timeout)["StatusCode"])
        except Exception:  # noqa: BLE001 - the SDK raises a requests timeout when the wait runs out
            code = None
            container.kill()
        reader.join(timeout=10)
    finally:
        with contextlib.suppress(docker.errors.APIError):
            container.remove(force=True)
    lines = splitter.close(time.time())
    if code == 127:
        # The shell (or Alembic's launcher) could not find the program: a profile mistake, exit 2.
        seen = ctx.redactor.text("\n".join(line.text for line in lines[-3:]))
        raise _not_in_image(ctx, program=repr(command[4]) if wrapped else "", seen=seen)
    return Finished(code=code, lines=lines, started=started)


def _pump(stream: Iterable[bytes], splitter: LineSplitter) -> None:
    with contextlib.suppress(Exception):  # the stream ends with an error when the container is removed
        for chunk in stream:
            splitter.feed(chunk, time.time())


def _not_in_image(ctx: StepContext, program: str = "", seen: str = "") -> UsageError:
    """The error for a migrations command the app image does not have (however it was launched)."""
    assert ctx.image is not None
    named = f" {program}" if program else ""
    return UsageError(
        f"the migrations command{named} is not found in the app image {ctx.image.ref}"
        + (f":\n{seen}" if seen else ""),
        "fix migrations.command (or install the tool in the image), or use run_in: host",
    )
