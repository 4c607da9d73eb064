"""Whether a container has exited, and how: the one place parity reads a container's end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import docker.errors


@dataclass(frozen=True)
class Exited:
    """How a container ended: its exit code (-1 when the engine lost it) and whether the kernel
    OOM-killed it."""

    code: int
    oom_killed: bool


def exit_state(container: Any) -> Exited | None:
    """How the container ended, once it has exited (or is gone); None while it runs. Reloads its
    state from the engine."""
    try:
        container.reload()
    except docker.errors.NotFound:
        return Exited(-1, False)
    state = container.attrs["State"]
    if state.get("Status") in ("exited", "dead"):
        return Exited(int(state.get("ExitCode", -1)), bool(state.get("OOMKilled")))
    return None
