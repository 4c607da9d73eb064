"""Step 2: run the migrations (per revision for Alembic) the way a release job would, then snapshot the schema."""

from __future__ import annotations

import contextlib
import shlex
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import docker.errors

from parity.env.app import container_options
from parity.env.host import Finished, HostCommand, LineSplitter
from parity.errors import UsageError
from parity.evidence import key_line, tail
from parity.results import Revision, StepResult
from parity.steps.alembic_revisions import (
    MARK,
    RevisionInfo,
    discover_revisions,
    parse_upgrade,
    per_revision_command,
)
from parity.steps.context import StepContext
from parity.steps.django_migrations import is_django_migrate, migration_results
from parity.steps.schema import snapshot_schema


@dataclass(frozen=True)
class Plan:
    """How the migrations command runs, and how its output is read."""

    argv: list[str]  # what actually runs (the user's command, or a per-revision form of it)
    tool: Literal["alembic", "django", "command"]
    revisions: list[RevisionInfo] = field(default_factory=list)


def run_migrations(ctx: StepContext) -> StepResult:
    """Apply the migrations; record each revision's outcome and the resulting schema."""
    spec = ctx.profile.migrations
    if spec is None:
        return StepResult(status="skipped", summary="no migrations in this profile")
    db = ctx.env.database
    if db is None:
        return StepResult(status="skipped", summary="no database to migrate")
    command = spec.command if isinstance(spec.command, list) else ["sh", "-c", spec.command]
    plan = _plan(ctx, command)
    counted = f" ({len(plan.revisions)} revisions, one at a time)" if plan.revisions else ""
    ctx.say(f"migrations: {shlex.join(command)}{counted}")
    started = time.monotonic()
    if spec.run_in == "app":
        if ctx.image is None:
            return StepResult(status="error", summary="migrations run_in: app, but the profile has no app",
                              detail="set migrations.run_in: host, or add an app section")
        output = _in_container(ctx, plan.argv, spec.timeout)
    else:
        output = HostCommand(plan.argv, ctx.project_root, ctx.host_environment(), spec.timeout).run(ctx.env)
        if output.not_found:
            message = f"migrations command not found on this machine: {output.not_found}"
            return StepResult(status="error", summary=message, detail=message)
    duration = time.monotonic() - started
    result = _judge(output, ctx.redactor.text(output.text), plan, spec.timeout, duration)
    for revision in result.revisions:
        revision.error = ctx.redactor.text(revision.error)
    if result.status == "ok" or result.revisions:
        # parity's own connection settings (its CA on this machine), not only the user's URL.
        own = db.connect_kwargs() if db.engine == "postgres" else None
        result.schema_snapshot = snapshot_schema(db.url_host, ctx.redactor, own)
        if "error" in result.schema_snapshot:
            # Not the app's failure, but the schemas were not compared: say so where it is read.
            result.summary = f"{result.summary}; schema not read: {result.schema_snapshot['error']}"[:300]
    return result


def _plan(ctx: StepContext, command: list[str]) -> Plan:
    if is_django_migrate(command):
        return Plan(command, "django")
    upgrade = parse_upgrade(command)
    if upgrade is None:
        return Plan(command, "command")
    # The scripts as the command will see them: in the build context for a release job.
    profile = ctx.profile
    base = ctx.project_root
    if profile.migrations and profile.migrations.run_in == "app" and profile.app:
        if not profile.app.build:
            return Plan(command, "command")  # a prebuilt image: its scripts are not on this machine
        base = ctx.project_root / profile.app.build
    revisions = discover_revisions(upgrade, base)
    if not revisions:
        return Plan(command, "command")
    return Plan(per_revision_command(upgrade, revisions), "alembic", revisions)


def _judge(output: Finished, text: str, plan: Plan, timeout: float, duration: float) -> StepResult:
    timed_out = output.code is None
    if plan.tool == "alembic":
        results = _per_revision(output, plan.revisions, timeout)
    elif plan.tool == "django":
        results = migration_results(output.lines, timed_out, timeout)
    else:
        results = []
    if timed_out:
        summary = f"timed out after {timeout:.0f}s"
        running = next((r for r in results if r.status == "failed"), None)
        if running:
            summary += f" in revision {running.id}"
        return StepResult(status="failed", duration_s=duration, summary=summary,
                          detail=tail(text), revisions=results, facts={"timed_out": True})
    if output.code == 0:
        unit = "migrations" if plan.tool == "django" else "revisions"
        applied = f"{len(results)} {unit} applied" if results else "migrations applied"
        return StepResult(status="ok", duration_s=duration, summary=applied, revisions=results, detail=tail(text, 8))
    failed = next((r for r in results if r.status == "failed"), None)
    summary = f"revision {failed.id} failed: {key_line(failed.error)}" if failed else f"exit {output.code}: {key_line(text)}"
    return StepResult(status="failed", duration_s=duration, summary=summary[:300], detail=tail(text),
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
                if kind == "failed":
                    failed = rev_id
                current = None
        elif current or failed:
            # Lines after a failure marker are still that revision's error (a safeguard: the
            # per-revision command sends everything through one pipe).
            buffer.append(line.text)
    if failed:
        by_id[failed].error = tail("\n".join(buffer), 15)
    if current and current in by_id:  # still running when the timeout struck
        by_id[current].status = "failed"
        by_id[current].error = f"timed out after {timeout:.0f}s\n" + tail("\n".join(buffer), 15)
        by_id[current].duration_s = round(output.lines[-1].ended - started_at if output.lines else 0.0, 3)
    return list(by_id.values())


def _in_container(ctx: StepContext, command: list[str], timeout: float) -> Finished:
    """A one-off container from the app image on the environment's network, like a release job.

    Its output is read as it comes (Docker's attach stream, timed here), with stderr sent into
    stdout by a shell so an error stays in order with what the tool printed before it."""
    if command[0] == "sh":  # already a shell: the user's string, or the per-revision form
        return _release_job(ctx, command, timeout)
    try:
        return _release_job(ctx, ["sh", "-c", 'exec 2>&1; exec "$@"', "parity-migrations", *command], timeout,
                            wrapped=True)
    except _NoShell:
        return _release_job(ctx, command, timeout)  # an image without a shell (distroless)


class _NoShell(Exception):
    """The app image has no `sh`."""


def _release_job(ctx: StepContext, command: list[str], timeout: float, wrapped: bool = False) -> Finished:
    assert ctx.image is not None and ctx.profile.app is not None
    options = container_options(ctx.profile.app, environment=ctx.container_environment(),
                                mounts=ctx.delivery.mounts, labels=ctx.env.labels("migrations"))
    options["command"] = command
    options.pop("nano_cpus", None)
    ctx.env.check_open()
    container = ctx.client.containers.create(
        ctx.image.ref, name=f"parity-{ctx.env.env_id}-migrations", network=ctx.env.network_name, **options
    )
    splitter = LineSplitter()
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
