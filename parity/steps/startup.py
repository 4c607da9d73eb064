"""Step 3: start the app under the profile's constraints and probe it until ready (or not): one
container, or app.replicas containers behind a load balancer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import docker.errors

from parity.env.app import container_options
from parity.env.running_app import App, Replica
from parity.profile.models import StartupProbe
from parity.results import Status, StepResult
from parity.steps import StepContext


def run_startup(ctx: StepContext) -> StepResult:
    """Start the app's container(s) and measure time-to-ready against the probe budget; with
    replicas, put the load balancer in front of them (APP_URL is the balancer)."""
    spec = ctx.profile.app
    if spec is None or ctx.image is None:
        return StepResult(status="skipped", summary="no app in this profile")
    options = container_options(spec, environment=ctx.container_environment(), mounts=ctx.delivery.mounts,
                                labels={})
    app = ctx.app = App(ctx.env.placement, spec, ctx.image.ref, options, ctx.redactor, ctx.say)
    probe = app.probe
    try:
        started = app.start()
    except docker.errors.APIError as error:
        return StepResult(status="error", summary="the app container could not start",
                          detail=ctx.redactor.text(str(error.explanation or error)))
    what = "app started" if len(app.replicas) == 1 else f"{len(app.replicas)} replicas started"
    ctx.say(f"{what}; probing ({probe.kind}, budget {probe.budget:.0f}s)")
    # The balancer starts while the replicas are probed.
    with ThreadPoolExecutor(max_workers=len(app.replicas) + 1, thread_name_prefix="parity-app") as pool:
        balancer = pool.submit(app.start_balancer) if spec.balanced else None
        probes = [pool.submit(app.probe_until_ready, r, started[r.name]) for r in app.replicas]
        results = [future.result() for future in probes]
        if balancer is not None:
            balancer.result()
    result = results[0] if len(results) == 1 else _all_replicas(app.replicas, results, probe)
    if app.balancer is not None:
        # As a Service routes to ready pods only: smoke tests start once the balancer has every
        # ready replica in rotation.
        ready = [r.name for r, res in zip(app.replicas, results, strict=True) if res.status == "ok"]
        missing = app.balancer.wait_in_rotation(ready, ctx.env.check_open)
        result.facts["load_balancer"] = "round robin" if not spec.sticky else "sticky (client IP)"
        if missing:
            result.facts["not_in_rotation"] = sorted(missing)
            result.summary += f"; the load balancer never put {', '.join(sorted(missing))} in rotation"
    return result


def _all_replicas(replicas: list[Replica], results: list[StepResult], probe: StartupProbe) -> StepResult:
    """One result for several replicas: failed if any failed, the slowest readiness, each one's facts."""
    failing = [(r, res) for r, res in zip(replicas, results, strict=True) if res.status != "ok"]
    facts: dict[str, Any] = {"probe": probe.kind, "budget_s": round(probe.budget, 3),
                             "replicas": {r.name: res.facts for r, res in zip(replicas, results, strict=True)}}
    ready = [res.facts["ready_s"] for res in results if "ready_s" in res.facts]
    if ready:
        facts["ready_s"] = max(ready)
    for name in ("budget_exhausted", "oom_killed"):
        if any(res.facts.get(name) for res in results):
            facts[name] = True
    if failing:
        facts.setdefault("exit_code", failing[0][1].facts.get("exit_code"))
        status: Status = "error" if any(res.status == "error" for _, res in failing) else "failed"
        summary = "; ".join(f"{r.name} {res.summary}" for r, res in failing)
        detail = "\n\n".join(f"{r.name}: {res.detail}" for r, res in failing)
        return StepResult(status=status, duration_s=max(res.duration_s for res in results), summary=summary,
                          detail=detail, facts=facts)
    times = ", ".join(f"{res.facts['ready_s']:.1f}s" for res in results)
    return StepResult(status="ok", duration_s=max(res.duration_s for res in results),
                      summary=f"{len(replicas)} replicas ready in {times} (budget {probe.budget:.0f}s)", facts=facts)
