"""Step 6 (app.rollout): a rolling update, as a Deployment does one: while the smoke.http checks run
in a loop through the load balancer, each replica is replaced in turn — the new one started and
past its startup probe, put in rotation, then the old one taken out of rotation and stopped like
a pod (stop signal, grace period, SIGKILL). Reports the requests that failed meanwhile and what
the old replicas kept on their own disk, which did not survive them."""

from __future__ import annotations

import time
from typing import Any

from parity.env.app_requests import Loop, Sent, Target, loop_requests
from parity.env.balancer import LoggedRequest
from parity.env.running_app import Replacement
from parity.profile.models import ShutdownSpec
from parity.results import Status, StepResult
from parity.steps import StepContext

# Steady traffic before the first replacement and after the last, to tell the rollout's failures
# from the app's own.
STEADY = 0.5
LOOP_WORKERS = 2
LOOP_PAUSE = 0.05
MAX_LISTED = 20


def run_rollout(ctx: StepContext) -> StepResult:
    """Replace every replica, one at a time, under a loop of requests through the balancer."""
    spec = ctx.profile.app
    if spec is None or not spec.rollout:
        return StepResult(status="skipped", summary="no app.rollout in this profile")
    app = ctx.app
    balancer = app.balancer if app is not None else None
    if app is None or balancer is None or balancer.host_port is None or not app.replicas:
        return StepResult(status="skipped", summary="the app never started")
    if any(r.exit_state() is not None for r in app.replicas):
        return StepResult(status="skipped", summary="a replica had already exited: nothing to roll out")
    grace = (spec.shutdown or ShutdownSpec()).termination_grace_period
    since = time.time()
    loop = Loop(Target("127.0.0.1", balancer.host_port), loop_requests(ctx.profile), workers=LOOP_WORKERS,
                pause=LOOP_PAUSE).start()
    replacements: list[Replacement] = []
    total = number = len(app.replicas)
    try:
        time.sleep(STEADY)
        began = time.monotonic()
        for old in list(app.replicas):
            number += 1
            replacement = app.replace(old, f"{old.name.rsplit('-', 1)[0]}-{number}", grace)
            replacements.append(replacement)
            if replacement.stopped is None:
                break  # the new replica never got ready: a Deployment's rollout stalls there too
        ended = time.monotonic()
        time.sleep(STEADY)
    finally:
        sent = loop.stop()
    during = [s for s in sent if began <= s.started <= ended]
    logged = [r for r in balancer.requests(since) if r.check_id is None]
    return _result(replacements, total, during, logged, grace)


def _result(replacements: list[Replacement], total: int, during: list[Sent], logged: list[LoggedRequest],
            grace: float) -> StepResult:
    """The step's result: failed if a request failed while replicas were replaced, or the rollout
    stalled; `during` are the requests sent meanwhile."""
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
