"""Step 2: run the migrations (per revision for Alembic) the way a release job would, then snapshot the schema."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import docker.errors

from parity.env.app import container_options
from parity.errors import UsageError
from parity.evidence import key_line, tail
from parity.results import Revision, StepResult
from parity.steps.alembic_revisions import (
    MARK,
    alembic_target,
    discover_revisions,
    per_revision_command,
)
from parity.steps.context import StepContext
from parity.steps.host_process import collect_output, spawn
from parity.steps.schema import snapshot_schema


@dataclass
class Output:
    """A finished (or timed-out) command: exit code, and its output lines with their times."""

    code: int | None  # None: killed at the timeout
    lines: list[tuple[float, str]]
    started: float
    not_found: str | None = None

    @property
    def text(self) -> str:
        """The whole output."""
        return "\n".join(line for _, line in self.lines)


def run_migrations(ctx: StepContext) -> StepResult:
    """Apply the migrations; record each revision's outcome and the resulting schema."""
    spec = ctx.profile.migrations
    if spec is None:
        return StepResult(status="skipped", summary="no migrations in this profile")
    db = ctx.env.database
    if db is None:
        return StepResult(status="skipped", summary="no database to migrate")
    command = spec.command if isinstance(spec.command, list) else ["sh", "-c", spec.command]
    revisions = _plan(ctx, command)
    shell = command
    if revisions:
        target = alembic_target(command)
        assert target is not None
        shell = per_revision_command(command, target[0], revisions)
    ctx.say(f"migrations: {shlex.join(command)}" + (f" ({len(revisions)} revisions, one at a time)" if revisions else ""))
    started = time.monotonic()
    if spec.run_in == "app":
        if ctx.image is None:
            return StepResult(status="error", summary="migrations run_in: app, but the profile has no app",
                              detail="set migrations.run_in: host, or add an app section")
        output = _in_container(ctx, shell, spec.timeout)
    else:
        output = _on_host(ctx, shell, db.url_host, spec.timeout)
    duration = time.monotonic() - started
    text = ctx.redactor.text(output.text)
    result = _judge(output, text, revisions, spec.timeout, duration)
    if result.status == "ok" or revisions:
        result.schema_snapshot = snapshot_schema(db.url_host, ctx.redactor)
    return result


def _plan(ctx: StepContext, command: list[str]) -> list:  # type: ignore[type-arg]
    target = alembic_target(command)
    if target is None:
        return []
    spec = ctx.profile
    base = ctx.project_root
    if spec.migrations and spec.migrations.run_in == "app" and spec.app and spec.app.build:
        base = ctx.project_root / spec.app.build
    ini = base / (target[1] or "alembic.ini")
    return discover_revisions(ini) or []


def _judge(output: Output, text: str, revisions: list, timeout: float, duration: float) -> StepResult:  # type: ignore[type-arg]
    if output.not_found:
        return StepResult(status="error", duration_s=duration, summary=output.not_found, detail=output.not_found)
    timed_out = output.code is None
    results = _per_revision(output, revisions, timeout) if revisions else []
    if timed_out:
        summary = f"timed out after {timeout:.0f}s"
        running = next((r for r in results if r.status == "failed"), None)
        if running:
            summary += f" in revision {running.id}"
        return StepResult(status="failed", duration_s=duration, summary=summary,
                          detail=tail(text), revisions=results, facts={"timed_out": True})
    if output.code == 0:
        applied = f"{len(results)} revisions applied" if results else "migrations applied"
        return StepResult(status="ok", duration_s=duration, summary=applied, revisions=results, detail=tail(text, 8))
    failed = next((r for r in results if r.status == "failed"), None)
    summary = f"revision {failed.id} failed: {key_line(failed.error)}" if failed else f"exit {output.code}: {key_line(text)}"
    return StepResult(status="failed", duration_s=duration, summary=summary[:300], detail=tail(text),
                      revisions=results, facts={"exit_code": output.code})


def _per_revision(output: Output, revisions: list, timeout: float) -> list[Revision]:  # type: ignore[type-arg]
    by_id = {r.id: Revision(id=r.id, description=r.description) for r in revisions}
    current: str | None = None
    started_at = output.started
    buffer: list[str] = []
    failed: str | None = None
    for at, line in output.lines:
        if line.startswith(MARK):
            kind, _, rest = line[len(MARK) + 1 :].partition(" ")
            rev_id = rest.split(" ")[0]
            if kind == "start":
                current, started_at, buffer = rev_id, at, []
            elif rev_id in by_id:
                by_id[rev_id].status = "ok" if kind == "done" else "failed"
                by_id[rev_id].duration_s = round(at - started_at, 3)
                if kind == "failed":
                    failed = rev_id
                current = None
        elif current or failed:
            # Lines after a failure marker are still that revision's error: where stdout and
            # stderr travel separately (docker logs), the traceback can land after the marker.
            buffer.append(line)
    if failed:
        by_id[failed].error = tail("\n".join(buffer), 15)
    if current and current in by_id:  # still running when the timeout struck
        by_id[current].status = "failed"
        by_id[current].error = f"timed out after {timeout:.0f}s\n" + tail("\n".join(buffer), 15)
        by_id[current].duration_s = round(output.lines[-1][0] - started_at if output.lines else 0.0, 3)
    return list(by_id.values())


def _in_container(ctx: StepContext, command: list[str], timeout: float) -> Output:
    """A one-off container from the app image on the environment's network, like a release job."""
    assert ctx.image is not None and ctx.profile.app is not None
    options = container_options(
        ctx.profile.app, environment=ctx.delivery.environment | dict(ctx.profile.app.env),
        mounts=ctx.delivery.mounts, labels=ctx.env.labels("migrations"),
    )
    options["command"] = command
    options.pop("nano_cpus", None)
    ctx.env.check_open()
    container = ctx.client.containers.create(
        ctx.image.ref, name=f"parity-{ctx.env.env_id}-migrations", network=ctx.env.network_name, **options
    )
    started = time.time()
    code: int | None
    try:
        try:
            container.start()
        except docker.errors.APIError as exc:
            if "executable file not found" in str(exc) or "no such file or directory" in str(exc):
                raise _not_in_image(ctx, program=repr(command[0])) from None
            raise
        try:
            code = int(container.wait(timeout=timeout)["StatusCode"])
        except Exception:  # noqa: BLE001 - the SDK raises a requests timeout when the wait runs out
            code = None
            container.kill()
        raw = container.logs(timestamps=True).decode(errors="replace")
    finally:
        with contextlib.suppress(docker.errors.APIError):
            container.remove(force=True)
    lines = [_timestamped(line) for line in raw.splitlines()]
    if code == 127:
        # The shell (or Alembic's launcher) could not find the program: a profile mistake, exit 2.
        raise _not_in_image(ctx, seen=ctx.redactor.text("\n".join(text for _, text in lines[-3:])))
    return Output(code=code, lines=lines, started=started)


def _not_in_image(ctx: StepContext, program: str = "", seen: str = "") -> UsageError:
    """The error for a migrations command the app image does not have (however it was launched)."""
    assert ctx.image is not None
    named = f" {program}" if program else ""
    return UsageError(
        f"the migrations command{named} is not found in the app image {ctx.image.ref}"
        + (f":\n{seen}" if seen else ""),
        "fix migrations.command (or install the tool in the image), or use run_in: host",
    )


def _timestamped(line: str) -> tuple[float, str]:
    stamp, _, text = line.partition(" ")
    try:
        # Docker gives RFC 3339 with nanoseconds; Python parses microseconds.
        head, _, frac = stamp.rstrip("Z").partition(".")
        when = dt.datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}+00:00").timestamp()
    except ValueError:
        return time.time(), line
    return when, text


def _on_host(ctx: StepContext, command: list[str], database_url: str, timeout: float) -> Output:
    """A process on this machine with DATABASE_URL (and the secrets) in its environment."""
    env = os.environ | ctx.secrets | {"DATABASE_URL": database_url}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if ctx.env.database and ctx.env.database.ca_cert_path:
        env["DB_CA_CERT"] = ctx.env.database.ca_cert or ""
        env.setdefault("PGSSLROOTCERT", str(ctx.env.database.ca_cert_path))
    started = time.time()
    lines: list[tuple[float, str]] = []
    try:
        process = spawn(command, ctx.project_root, env)
    except FileNotFoundError:
        return Output(code=127, lines=[], started=started,
                      not_found=f"migrations command not found on this machine: {command[0]}")
    code = collect_output(process, lines, timeout, ctx)
    return Output(code=code, lines=lines, started=started)
