"""Step 5: peak memory of the app and the database against their caps, and OOM kills."""

from __future__ import annotations

from typing import Any

import docker.errors

from parity.profile.units import format_size
from parity.results import StepResult
from parity.steps.context import StepContext

_PEAK = "cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.peak"


def run_resources(ctx: StepContext) -> StepResult:
    """Read each container's peak memory (cgroup) and whether the kernel OOM-killed it."""
    facts: dict[str, Any] = {}
    notes: list[str] = []
    status = "ok"
    db = ctx.env.database
    containers = {"app": ctx.app_container,
                  "db": ctx.client.containers.get(db.container_id) if db and db.container_id else None}
    for role, container in containers.items():
        if container is None:
            continue
        try:
            container.reload()
        except docker.errors.NotFound:
            continue
        state = container.attrs["State"]
        limit = int(container.attrs["HostConfig"].get("Memory") or 0) or None
        peak = _peak(container) if state.get("Status") == "running" else None
        oom = bool(state.get("OOMKilled"))
        if oom and peak is None and limit:
            peak = limit  # killed at its cap
        facts[f"{role}_peak_bytes"] = peak
        facts[f"{role}_limit_bytes"] = limit
        facts[f"{role}_oom_killed"] = oom
        if oom:
            status = "failed"
            notes.append(f"{role} OOMKilled at its {format_size(limit) if limit else ''} limit (exit {state.get('ExitCode')})")
        elif peak:
            cap = f" of {format_size(limit)} ({100 * peak / limit:.0f}%)" if limit else " (no cap)"
            notes.append(f"{role} peak {format_size(peak)}{cap}")
    return StepResult(status=status, summary="; ".join(notes) or "no containers", facts=facts)  # type: ignore[arg-type]


def _peak(container: Any) -> int | None:
    try:
        code, output = container.exec_run(["sh", "-c", _PEAK])
    except docker.errors.APIError:
        return None
    text = (output or b"").decode().strip()
    return int(text) if code == 0 and text.isdigit() else None
