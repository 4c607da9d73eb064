"""Step 3: start the app under the profile's constraints and probe it until ready (or not)."""

from __future__ import annotations

import time

import docker.errors

from parity.env.app import APP_ALIAS, container_options
from parity.env.probe import probe_once
from parity.evidence import tail
from parity.profile.models import StartupProbe
from parity.results import StepResult
from parity.steps.context import StepContext

# Without a probe in the profile, wait for the port like a tcp probe, with a generous budget.
DEFAULT_PROBE = StartupProbe(tcp=True, period=1.0, failure_threshold=60)
POLL = 0.1


def run_startup(ctx: StepContext) -> StepResult:
    """Start the app container and measure time-to-ready against the probe budget."""
    app = ctx.profile.app
    if app is None or ctx.image is None:
        return StepResult(status="skipped", summary="no app in this profile")
    probe = app.startup_probe or DEFAULT_PROBE
    options = container_options(app, environment=ctx.container_environment(), mounts=ctx.delivery.mounts,
                                labels=ctx.env.labels("app"))
    ctx.env.check_open()
    try:
        container = ctx.client.containers.create(
            ctx.image.ref, name=f"parity-{ctx.env.env_id}-app", network=ctx.env.network_name,
            networking_config={ctx.env.network_name: ctx.client.api.create_endpoint_config(aliases=[APP_ALIAS])},
            ports={f"{app.port}/tcp": ("127.0.0.1", None)}, **options,
        )
        container.start()
    except docker.errors.APIError as exc:
        return StepResult(status="error", summary="the app container could not start",
                          detail=ctx.redactor.text(str(exc.explanation or exc)))
    ctx.app_container = container
    started = time.monotonic()
    container.reload()
    bindings = (container.attrs["NetworkSettings"]["Ports"] or {}).get(f"{app.port}/tcp") or []
    ctx.app_host_port = int(bindings[0]["HostPort"]) if bindings else None
    ctx.app_url = f"http://127.0.0.1:{ctx.app_host_port}" if ctx.app_host_port else None
    ctx.say(f"app started; probing ({probe.kind}, budget {probe.budget:.0f}s)")
    return _probe_until_ready(ctx, container, probe, started)


def _probe_until_ready(ctx: StepContext, container: object, probe: StartupProbe, started: float) -> StepResult:
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
            logs = _logs(container, ctx)
            facts.update(exit_code=code, oom_killed=oom)
            why = "OOMKilled (exit 137): the app exceeded its memory limit" if oom else f"the process exited with code {code}"
            return StepResult(status="failed", duration_s=elapsed, summary=f"never ready: {why}",
                              detail=f"{why}\n--- last log lines ---\n{tail(logs, 25)}", facts=facts)
        ok, seen = probe_once(probe, container, ctx.app_host_port)
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
                           f"first successful probe at {elapsed:.1f}s\n{tail(_logs(container, ctx), 10)}",
                    facts=facts)
            return StepResult(status="ok", duration_s=elapsed, summary=f"ready in {elapsed:.1f}s (budget {budget:.0f}s)",
                              facts=facts)
        if elapsed > give_up:
            facts["budget_exhausted"] = True
            return StepResult(
                status="failed", duration_s=elapsed,
                summary=f"never ready: startup probe budget of {budget:.1f}s exhausted",
                detail=f"startup probe budget exhausted; last probe: {seen}\n{tail(_logs(container, ctx), 15)}",
                facts=facts)
        time.sleep(min(POLL, probe.period))


def _exit_state(container: object) -> tuple[int, bool] | None:
    container.reload()  # type: ignore[attr-defined]
    state = container.attrs["State"]  # type: ignore[attr-defined]
    if state.get("Status") in ("exited", "dead"):
        return int(state.get("ExitCode", -1)), bool(state.get("OOMKilled"))
    return None


def _logs(container: object, ctx: StepContext) -> str:
    try:
        raw = container.logs(tail=60).decode(errors="replace")  # type: ignore[attr-defined]
    except docker.errors.APIError:
        return ""
    return ctx.redactor.text(raw)

