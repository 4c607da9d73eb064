"""What the engine holds, listed in one call per kind and never inspected item by item.

docker-py's `containers.list()` inspects every container it lists, so a container that
another process removes between the list and the inspect raises NotFound (404). Several
parity runs share one engine (a nightly CI host, an `up` beside a `run`, a `down --all`
while runs finish), so every listing parity makes goes through here: it keeps only what
the list call itself returns (ids, names, labels, image), a resource removed meanwhile is at
worst stale, and `remove` of a stale one raises NotFound, which callers treat as done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import docker

Kind = Literal["container", "network", "volume"]
Filters = Mapping[str, Any]


@dataclass(frozen=True)
class Listed:
    """A resource as the engine listed it: enough to select it by its labels and to remove it."""

    kind: Kind
    id: str  # for a volume, its name (volumes have no other id)
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    image_id: str = ""  # containers only


def containers(client: docker.DockerClient, filters: Filters | None = None) -> list[Listed]:
    """Every container (running or not) matching the filters, e.g. `labels.label_filter(...)`."""
    return [
        Listed("container", c["Id"], _container_name(c), c.get("Labels") or {}, c.get("ImageID") or "")
        for c in client.api.containers(all=True, filters=dict(filters or {}))
    ]


def networks(client: docker.DockerClient, filters: Filters | None = None) -> list[Listed]:
    """Every network matching the filters."""
    return [
        Listed("network", n["Id"], n.get("Name") or n["Id"], n.get("Labels") or {})
        for n in client.api.networks(filters=dict(filters or {}))
    ]


def volumes(client: docker.DockerClient, filters: Filters | None = None) -> list[Listed]:
    """Every volume matching the filters."""
    found = client.api.volumes(filters=dict(filters or {})) or {}
    return [Listed("volume", v["Name"], v["Name"], v.get("Labels") or {}) for v in found.get("Volumes") or []]


def remove(client: docker.DockerClient, resource: Listed) -> None:
    """Remove a listed resource (a container with its anonymous volumes); NotFound if already gone."""
    if resource.kind == "container":
        client.api.remove_container(resource.id, force=True, v=True)
    elif resource.kind == "network":
        client.api.remove_network(resource.id)
    else:
        client.api.remove_volume(resource.id, force=True)


def _container_name(summary: dict[str, Any]) -> str:
    names = summary.get("Names") or []
    return str(names[0]).lstrip("/") if names else str(summary["Id"])[:12]
