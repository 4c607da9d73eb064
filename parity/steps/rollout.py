"""Step 6 (app.rollout): a rolling update, as a Deployment does one: while the smoke.http checks run
in a loop through the load balancer, each replica is replaced in turn — the new one started and
past its startup probe, put in rotation, then the old one taken out of rotation and stopped like
a pod (stop signal, grace period, SIGKILL). Reports the requests that failed meanwhile and what
the old replicas kept on their own disk, which did not survive them."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import docker.errors

from parity.env.app_requests import Loop, Sent, Target
from parity.env.balancer import LoggedRequest, Replica, network_address
from parity.env.termination import Termination, exit_state, terminate
from parity.profile.models import ShutdownSpec
from parity.results import Status, StepResult
from parity.steps import StepContext
from parity.steps.shutdown import loop_requests
from parity.steps.startup import DEFAULT_PROBE, probe_until_ready, start_replica

# Steady traffic before the first replacement and after the last, to tell the rollout's failures
# from the app's own.
STEADY = 0.5
LOOP_WORKERS = 2
LOOP_PAUSE = 0.05
MAX_LISTED = 20
NOISE = ("__pycache__", ".pyc")


@dataclass
class Replacement:
    """One replica replaced: the new one's readiness, how the old one stopped, what it kept."""

    old: str
    new: str
    ready: StepResult
    stopped: Termination | None = None
    own_files: list[str] = field(default_factory=list)


def run_rollout(ctx: StepContext) -> StepResult:
    """Replace every replica, one at a time, under a loop of requests through the balancer."""
    app = ctx.profile.app
    if app is None or not app.rollout:
        return StepResult(status="skipped", summary="no app.rollout in this profile")
    balancer = ctx.balancer
    if balancer is None or balancer.host_port is None or not ctx.replicas:
        return StepResult(status="skipped", summary="the app never started")
    if any(exit_state(r.container) is not None for r in ctx.replicas):
        return StepResult(status="skipped", summary="a replica had already exited: nothing to roll out")
    grace = (app.shutdown or ShutdownSpec()).termination_grace_period
    probe = app.startup_probe or DEFAULT_PROBE
    since = time.time()
    loop = Loop(Target("127.0.0.1", balancer.host_port), loop_requests(ctx), workers=LOOP_WORKERS,
                pause=LOOP_PAUSE).start()
    replacements: list[Replacement] = []
    total = number = len(ctx.replicas)
    try:
        time.sleep(STEADY)
        began = time.monotonic()
        for index, old in enumerate(list(ctx.replicas)):
            number += 1
            replacement = _replace(ctx, index, old, f"{old.name.rsplit('-', 1)[0]}-{number}", probe, grace)
            replacements.append(replacement)
            if replacement.stopped is None:
                break  # the new replica never got ready: a Deployment's rollout stalls there too
        ended = time.monotonic()
        time.sleep(STEADY)
    finally:
        sent = loop.stop()
    first = ctx.replicas[0]
    ctx.app_container, ctx.app_host_port = first.container, first.host_port
    logged = [r for r in balancer.requests(since) if r.check_id is None]
    return _result(replacements, total, sent, logged, began, ended, grace)


def _replace(ctx: StepContext, index: int, old: Replica, name: str, probe: Any, grace: float) -> Replacement:
    """Start `name`, wait for its startup probe, put it in rotation, then retire and stop `old`."""
    assert ctx.balancer is not None and ctx.profile.app is not None
    port = ctx.profile.app.port
    ctx.say(f"rollout: starting {name} to replace {old.name}")
    new = start_replica(ctx, name)
    ready = probe_until_ready(ctx, new, probe, time.monotonic())
    replacement = Replacement(old.name, new.name, ready)
    if ready.status != "ok":
        return replacement
    ctx.balancer.add_replica(new.name, network_address(new.container, ctx.env.network_name), port)
    ctx.replicas[index] = new
    replacement.own_files = own_disk_files(old.container, ctx.profile.app.tmpfs)
    ctx.say(f"rollout: {new.name} ready; stopping {old.name} (grace period {grace:g}s)")
    # The endpoint goes at the moment the pod is told to stop: no new requests, the ones it has go on.
    ctx.balancer.retire_replica(old.name)
    replacement.stopped = terminate(old.container, grace, ctx.env.check_open)
    with contextlib.suppress(docker.errors.APIError):
        old.container.remove(force=True)
    return replacement


def own_disk_files(container: Any, tmpfs: list[str]) -> list[str]:
    """Files a container wrote to its own filesystem (its writable layer, its tmpfs mounts): a
    pod's own disk, gone with it."""
    try:
        changes = container.diff() or []
    except docker.errors.APIError:
        changes = []
    # Mount points (secrets, tmpfs) are made in the writable layer; what is in them is not.
    mounts = [str(m.get("Destination", "")) for m in container.attrs.get("Mounts") or []] + list(tmpfs)
    paths = [c["Path"] for c in changes if c.get("Kind") in (0, 1)
             and not any(m == c["Path"] or m.startswith(c["Path"].rstrip("/") + "/") for m in mounts)]
    # A changed directory is listed along with what changed in it: keep the files.
    files = [p for p in paths if not any(other.startswith(p.rstrip("/") + "/") for other in paths)]
    for mount in tmpfs:
        try:
            code, output = container.exec_run(["find", mount, "-type", "f"])
        except docker.errors.APIError:
            continue
        if code == 0:
            files += [line for line in output.decode(errors="replace").splitlines() if line.strip()]
    return sorted(p for p in set(files) if not any(n in p for n in NOISE))[:MAX_LISTED]


def _result(replacements: list[Replacement], total: int, sent: list[Sent], logged: list[LoggedRequest],
            began: float, ended: float, grace: float) -> StepResult:
    during = [s for s in sent if began <= s.started <= ended]
    failed = [s for s in during if not s.ok]
    stalled = next((r for r in replacements if r.stopped is None), None)
    facts: dict[str, Any] = {
        "grace_period_s": grace,
        "replaced": [_replacement_facts(r) for r in replacements],
        "requests_during": len(during),
        "rollout_failed_requests": len(failed),
        "failed_requests": [s.describe() for s in failed][:MAX_LISTED],
        "failed_at_balancer": [r.describe() for r in logged if r.failed][:MAX_LISTED],
        "own_disk_files": {r.old: r.own_files for r in replacements if r.own_files},
        "sigkilled": [r.old for r in replacements if r.stopped and r.stopped.sigkilled],
    }
    if stalled is not None:
        facts["stalled"] = True
    done = sum(1 for r in replacements if r.stopped)
    parts = [f"{done} of {total} replicas replaced" if done < total else f"{done} replicas replaced"]
    if stalled is not None:
        parts.append(f"stalled: {stalled.new} {stalled.ready.summary}")
    parts.append(f"{len(failed)} of {len(during)} requests failed meanwhile" if failed
                 else f"all {len(during)} requests answered meanwhile")
    kept = sum(len(r.own_files) for r in replacements)
    if kept:
        parts.append(f"{kept} file(s) left on replaced replicas' own disks")
    status: Status = "failed" if failed or stalled else "ok"
    return StepResult(status=status, summary="; ".join(parts), detail=_detail(replacements, failed, logged),
                      facts=facts)


def _replacement_facts(r: Replacement) -> dict[str, Any]:
    facts: dict[str, Any] = {"old": r.old, "new": r.new, "new_ready_s": r.ready.facts.get("ready_s")}
    if r.stopped is not None:
        facts.update(old_exited_after_s=round(r.stopped.exited_after_s, 3), old_exit_code=r.stopped.exit_code,
                     old_sigkilled=r.stopped.sigkilled)
    return facts


def _detail(replacements: list[Replacement], failed: list[Sent], logged: list[LoggedRequest]) -> str:
    lines = []
    for r in replacements:
        if r.stopped is None:
            lines.append(f"{r.new} never became ready, {r.old} kept running: {r.ready.summary}\n{r.ready.detail}")
            continue
        lines.append(f"{r.new} ready in {r.ready.facts.get('ready_s', 0):.1f}s; {r.old} {r.stopped.describe()}")
        if r.own_files:
            lines.append(f"  {r.old} had written to its own disk (gone with it): " + ", ".join(r.own_files))
    if failed:
        lines.append("requests that failed during the rollout:")
        lines += [f"  {s.describe()}" for s in failed[:MAX_LISTED]]
    at_balancer = [r for r in logged if r.failed]
    if at_balancer:
        lines.append("as the load balancer saw them:")
        lines += [f"  {r.describe()}" for r in at_balancer[:MAX_LISTED]]
    return "\n".join(lines)
