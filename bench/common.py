"""What the benchmark's parts share: samples with their median and spread, progress, the sweep."""

from __future__ import annotations

import contextlib
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import docker.errors

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Samples:
    """Repeated measurements of one quantity, in seconds (or MB)."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        """The median, or None before any sample."""
        return statistics.median(self.values) if self.values else None

    def as_json(self) -> dict[str, Any]:
        """Median, min, max and every sample, rounded."""
        if not self.values:
            return {"median": None, "samples": []}
        return {
            "median": round(statistics.median(self.values), 3),
            "min": round(min(self.values), 3),
            "max": round(max(self.values), 3),
            "samples": [round(v, 3) for v in self.values],
        }


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b rounded, or None when either is missing."""
    return round(a / b, 3) if a is not None and b else None


def say(message: str) -> None:
    """A progress line on stderr."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def sweep(client: docker.DockerClient, label: str) -> int:
    """Remove the containers, then networks, carrying `label` (key=value); return how many.

    Listed through parity's inventory: no inspect per container, so one that another run removes
    meanwhile is no error."""
    from parity.engine import inventory

    removed = 0
    for container in inventory.containers(client, {"label": label}):
        with contextlib.suppress(docker.errors.NotFound):
            inventory.remove(client, container)
            removed += 1
    for network in inventory.networks(client, {"label": label}):
        with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
            inventory.remove(client, network)
            removed += 1
    return removed
