"""Step 3: start the app under the profile's constraints and probe it until ready (or not): one
container, or app.replicas containers behind a load balancer."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import docker.errors

from parity.engine import labels as L
from parity.env.app import APP_ALIAS, container_options
from parity.env.balancer import Balancer, Replica, published_port, start_balancer
from parity.env.probe import probe_once
from parity.evidence import excerpt, tail
from parity.profile.models import StartupProbe
from parity.results import Status, StepResult
from parity.steps import StepContext

# Without a probe in the profile, wait for the port like a tcp probe, with a generous budget.
DEFAULT_PROBE = StartupProbe(tcp=True, period=1.0, failure_threshold=60)
POLL = 0.1


def run_startup(ctx: StepContext) -> StepResult:
    """Start the app's container(s) and measure time-to-ready against the probe budget; with
    replicas, put the load balancer in front of them (APP_URL is the balancer)."""
    app = ctx.profile.app
    if app is None or ctx.image is None:
        return StepResult(status="skipped", summary="no app in this profile")
    probe = app.startup_probe or DEFAULT_PROBE
    names = [APP_ALIAS] if app.replicas is None else [f"{APP_ALIAS}-{i}" for i in range(1, app.replicas + 1)]
    # Replicas start at once, as a Deployment's pods do; the balancer starts while they are probed.
    with ThreadPoolExecutor(max_workers=len(names) + 1, thread_name_prefix="parity-app") as pool:
        starts = [pool.submit(_start_timed, ctx, name) for name in names]
        wait(starts)
        started: dict[str, float] = {}
        for future in starts:
            if future.exception() is None:
                replica, at = future.result()
                ctx.replicas.append(replica)
                started[replica.name] = at
        error = next((e for f in starts if (e := f.exception()) is not None), None)
        if isinstance(error, docker.errors.APIError):
            return StepResult(status="error", summary="the app container could not start",
                              detail=ctx.redactor.text(str(error.explanation or error)))
        if error is not None:
            raise error
        first = ctx.replicas[0]
        ctx.app_container, ctx.app_host_port = first.container, first.host_port
        ctx.app_url = f"http://127.0.0.1:{first.host_port}" if first.host_port else None
        what = "app started" if len(names) == 1 else f"{len(names)} replicas started"
        ctx.say(f"{what}; probing ({probe.kind}, budget {probe.budget:.0f}s)")
        balancer = pool.submit(_start_balancer, ctx) if app.replicas is not None else None
        probes = [pool.submit(probe_until_ready, ctx, r, probe, started[r.name]) for r in ctx.replicas]
        results = [future.result() for future in probes]
        if balancer is not None:
            ctx.balancer = balancer.result()
    result = results[0] if len(results) == 1 else _all_replicas(ctx.replicas, results, probe)
    if ctx.balancer is not None:
        # As a Service routes to ready pods only: smoke tests start once the balancer has every
        # ready replica in rotation.
        ready = [r.name for r, res in zip(ctx.replicas, results, strict=True) if res.status == "ok"]
        missing = ctx.balancer.wait_in_rotation(ready, ctx.env.check_open)
        ctx.app_url = ctx.balancer.url
        result.facts["load_balancer"] = "round robin" if not app.sticky else "sticky (client IP)"
        if missing:
            result.facts["not_in_rotation"] = sorted(missing)
            result.summary += f"; the load balancer never put {', '.join(sorted(missing))} in rotation"
    return result


def _start_timed(ctx: StepContext, name: str) -> tuple[Replica, float]:
    """A replica, and when it started (its probe budget counts from then)."""
    return start_replica(ctx, name), time.monotonic()


def start_replica(ctx: StepContext, name: str) -> Replica:
    """Create and start one app container under the profile's caps, named `name` on the network."""
    app = ctx.profile.app
    assert app is not None and ctx.image is not None
    labels = ctx.env.labels("app") | {L.REPLICA: name}
    options = container_options(app, environment=ctx.container_environment(), mounts=ctx.delivery.mounts,
                                labels=labels)
    ctx.env.check_open()
    container = ctx.client.containers.create(
        ctx.image.ref, name=f"parity-{ctx.env.env_id}-{name}", network=ctx.env.network_name,
        networking_config={ctx.env.network_name: ctx.client.api.create_endpoint_config(aliases=[name])},
        ports={f"{app.port}/tcp": ("127.0.0.1", None)}, **options,
    )
    container.start()
    container.reload()
    return Replica(name, container, published_port(container, app.port))


def _start_balancer(ctx: StepContext) -> Balancer:
    app = ctx.profile.app
    assert app is not None
    return start_balancer(
        ctx.client, name=f"parity-{ctx.env.env_id}-lb", network=ctx.env.network_name, alias=APP_ALIAS,
        labels=ctx.env.labels("load-balancer"), app=app, servers=[(r.name, r.name) for r in ctx.replicas],
        check_open=ctx.env.check_open)


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


def probe_until_ready(ctx: StepContext, replica: Replica, probe: StartupProbe, started: float) -> StepResult:
    """Probe one container until ready, exited, or well past its budget."""
    container = replica.container
    budget = probe.budget
    # Past the budget the kubelet would kill the pod; parity keeps watching a while longer so the
    # report can say when (or whether) it would have become ready, and smoke tests can still run.
    give_up = budget + max(ctx.deadline_grace, budget)
    facts: dict[str, object] = {"probe": probe.kind, "budget_s": round(budget, 3)}
    time.sleep(min(probe.initial_delay, give_up))
    while True:
        ctx.env.check_open()
        elapsed = time.monotonic() - started
        exited = _exit_state(container)
        if exited is not None:
            code, oom = exited
            logs = app_logs(container, ctx)
            facts.update(exit_code=code, oom_killed=oom)
            why = "OOMKilled (exit 137): the app exceeded its memory limit" if oom else f"the process exited with code {code}"
            return StepResult(status="failed", duration_s=elapsed, summary=f"never ready: {why}",
                              detail=f"{why}\n--- last log lines ---\n{excerpt(logs, 25)}", facts=facts)
        ok, seen = probe_once(probe, container, replica.host_port)
        if ok:
            facts["ready_s"] = round(elapsed, 3)
            if elapsed > budget:
                facts["budget_exhausted"] = True
                return StepResult(
                    status="failed", duration_s=elapsed,
                    summary=f"ready after {elapsed:.1f}s, over the probe budget of {budget:.1f}s "
                            "(the kubelet would have killed it)",
                    detail=f"startup probe budget exhausted: initial_delay {probe.initial_delay}s + period "
                           f"{probe.period}s x failure_threshold {probe.failure_threshold} = {budget:.1f}s; "
                           f"first successful probe at {elapsed:.1f}s\n{tail(app_logs(container, ctx), 10)}",
                    facts=facts)
            return StepResult(status="ok", duration_s=elapsed, summary=f"ready in {elapsed:.1f}s (budget {budget:.0f}s)",
                              facts=facts)
        if elapsed > give_up:
            facts["budget_exhausted"] = True
            return StepResult(
                status="failed", duration_s=elapsed,
                summary=f"never ready: startup probe budget of {budget:.1f}s exhausted",
                detail=f"startup probe budget exhausted; last probe: {seen}\n{tail(app_logs(container, ctx), 15)}",
                facts=facts)
        time.sleep(min(POLL, probe.period))


def _exit_state(container: Any) -> tuple[int, bool] | None:
    container.reload()
    state = container.attrs["State"]
    if state.get("Status") in ("exited", "dead"):
        return int(state.get("ExitCode", -1)), bool(state.get("OOMKilled"))
    return None


def app_logs(container: Any, ctx: StepContext) -> str:
    """The app container's last log lines, redacted ("" when the engine cannot give them)."""
    try:
        raw = container.logs(tail=60).decode(errors="replace")
    except docker.errors.APIError:
        return ""
    return ctx.redactor.text(str(raw))
