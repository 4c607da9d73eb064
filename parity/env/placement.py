"""Where a container of one environment is made: the engine, its name, its network, its labels,
and the check that stops anything new once the environment is being torn down. Made by the
environment, passed to every container creation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import docker


@dataclass(frozen=True)
class Placement:
    """The engine and the environment a new container belongs to."""

    client: docker.DockerClient
    env_id: str
    network: str | None  # None: the engine's default bridge (a lone database)
    labelled: Callable[[str], dict[str, str]]  # the environment's labels for a resource's role
    check_open: Callable[[], None]  # raises Cancelled once the environment is being torn down

    def name(self, suffix: str) -> str:
        """A container's name in this environment: parity-<env id>-<suffix>."""
        return f"parity-{self.env_id}-{suffix}"

    def labels(self, role: str) -> dict[str, str]:
        """The labels a resource of this role carries from birth."""
        return self.labelled(role)


def published_port(container: Any, port: int) -> int | None:
    """The port on 127.0.0.1 the container's `port` is published on (after a start or restart)."""
    bindings = (container.attrs["NetworkSettings"]["Ports"] or {}).get(f"{port}/tcp") or []
    return int(bindings[0]["HostPort"]) if bindings else None
