"""Step 5: peak memory of the app (each replica), the load balancer, the database and its pooler
against their caps, and OOM kills."""

from __future__ import annotations

from typing import Any

import docker.errors

from parity.profile.units import format_size
from parity.results import Status, StepResult
from parity.steps import StepContext

_PEAK = "cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.peak"


def run_resources(ctx: StepContext) -> StepResult:
    """Read each container's peak memory (cgroup) and whether the kernel OOM-killed it."""
    facts: dict[str, Any] = {}
    notes: list[str] = []
    status: Status = "ok"
    app = ctx.app
    replicas = {r.name: r.container for r in app.replicas} if app is not None else {}
    per_replica: dict[str, dict[str, Any]] = {}
    for name, container in replicas.items():
        measured = _measure(container)
        if measured is None:
            continue
        per_replica[name] = measured
        note = _note(name, measured)
        if note:
            notes.append(note)
    if per_replica:
        # The app as a whole: its largest peak, its cap, and whether any replica was OOM-killed.
        worst = max(per_replica.values(), key=lambda m: (m["oom_killed"], m["peak_bytes"] or 0))
        facts.update(app_peak_bytes=worst["peak_bytes"], app_limit_bytes=worst["limit_bytes"],
                     app_oom_killed=any(m["oom_killed"] for m in per_replica.values()))
        if app is not None and app.spec.balanced:
            facts["replicas"] = per_replica
            facts["app_oom_killed_replicas"] = [n for n, m in per_replica.items() if m["oom_killed"]]
    db = ctx.env.database
    others = {"lb": app.balancer.container if app and app.balancer else None, "db": _container(ctx, db.container_id if db else None),
              "pooler": _container(ctx, db.pooler.container_id if db and db.pooler else None)}
    for role, container in others.items():
        measured = _measure(container)
        if measured is None:
            continue
        facts.update({f"{role}_{key}": value for key, value in measured.items()})
        note = _note({"lb": "load balancer", "db": "db", "pooler": "pooler"}[role], measured)
        if note:
            notes.append(note)
    if any(m["oom_killed"] for m in per_replica.values()) or facts.get("db_oom_killed"):
        status = "failed"
    return StepResult(status=status, summary="; ".join(notes) or "no containers", facts=facts)


def _container(ctx: StepContext, container_id: str | None) -> Any:
    if container_id is None:
        return None
    try:
        return ctx.client.containers.get(container_id)
    except docker.errors.NotFound:
        return None


def _measure(container: Any) -> dict[str, Any] | None:
    """Peak, cap and OOM kill of one container (None when it is gone)."""
    if container is None:
        return None
    try:
        container.reload()
    except docker.errors.NotFound:
        return None
    state = container.attrs["State"]
    limit = int(container.attrs["HostConfig"].get("Memory") or 0) or None
    peak = _peak(container) if state.get("Status") == "running" else None
    oom = bool(state.get("OOMKilled"))
    if oom and peak is None and limit:
        peak = limit  # killed at its cap
    return {"peak_bytes": peak, "limit_bytes": limit, "oom_killed": oom, "exit_code": state.get("ExitCode")}


def _note(name: str, measured: dict[str, Any]) -> str:
    peak, limit = measured["peak_bytes"], measured["limit_bytes"]
    if measured["oom_killed"]:
        return f"{name} OOMKilled at its {format_size(limit) if limit else ''} limit (exit {measured['exit_code']})"
    if peak:
        cap = f" of {format_size(limit)} ({100 * peak / limit:.0f}%)" if limit else " (no cap)"
        return f"{name} peak {format_size(peak)}{cap}"
    return ""


def _peak(container: Any) -> int | None:
    try:
        code, output = container.exec_run(["sh", "-c", _PEAK])
    except docker.errors.APIError:
        return None
    text = (output or b"").decode().strip()
    return int(text) if code == 0 and text.isdigit() else None
