"""Removing parity's resources: one environment, a profile's, everything, or dead runs' orphans."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import docker.errors

from parity.engine import labels as L
from parity.engine.owner import owner_is_alive


@dataclass
class Removed:
    """What a cleanup removed, for the user and for tests."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    env_ids: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)

    def absorb(self, other: Removed) -> None:
        """Add what another cleanup removed (or failed to) to this one."""
        self.containers += other.containers
        self.networks += other.networks
        self.volumes += other.volumes
        self.failed += other.failed
        self.env_ids |= other.env_ids

    def __bool__(self) -> bool:
        return bool(self.containers or self.networks or self.volumes)

    def summary(self) -> str:
        """'2 containers, 1 network, 0 volumes'."""

        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        return ", ".join(
            (
                n(len(self.containers), "container"),
                n(len(self.networks), "network"),
                n(len(self.volumes), "volume"),
            )
        )


def state_root() -> Path:
    """Where environments keep host-side files (CA certificates, SQLite files)."""
    # Per user: on a shared machine another user's directory is neither readable nor ours to chmod.
    return Path(tempfile.gettempdir()) / f"parity-envs-{os.getuid()}"


def remove_environments(
    client: docker.DockerClient,
    selector: dict[str, str],
    keep: Callable[[dict[str, str]], bool] = lambda _labels: False,
) -> Removed:
    """Remove parity's containers, then networks and volumes, matching the labels (unless `keep`)."""
    removed = Removed()
    filters = L.label_filter(selector)
    # Containers first: a network or volume in use cannot be removed. `sparse` lists without
    # inspecting each container, so one vanishing mid-list (a concurrent cleanup) is no error.
    kinds: list[tuple[list[str], Callable[[], list[Any]], Callable[[Any], None]]] = [
        (removed.containers, lambda: client.containers.list(all=True, sparse=True, filters=filters),
         lambda c: c.remove(force=True, v=True)),
        (removed.networks, lambda: client.networks.list(filters=filters), lambda n: n.remove()),
        (removed.volumes, lambda: client.volumes.list(filters=filters), lambda v: v.remove(force=True)),
    ]
    for names, listing, remove in kinds:
        doomed = [r for r in listing() if not keep(_labels(r.attrs))]
        # In parallel: stopping a container waits for its process; the app and the database
        # (and both profiles' environments) need not wait for each other.
        with ThreadPoolExecutor(max_workers=max(1, min(8, len(doomed)))) as pool:
            outcomes = list(pool.map(lambda r: _remove(r, remove), doomed))  # noqa: B023 - used at once
        for resource, gone in zip(doomed, outcomes, strict=True):
            (names if gone else removed.failed).append(_name(resource))
            removed.env_ids.add(_labels(resource.attrs).get(L.ENV_ID, ""))
    for env_id in removed.env_ids - {""}:
        remove_state_dir(env_id)
    return removed


def _labels(attrs: dict[str, Any]) -> dict[str, str]:
    return attrs.get("Labels") or (attrs.get("Config") or {}).get("Labels") or {}


def _name(resource: Any) -> str:
    names = resource.attrs.get("Names") or [resource.attrs.get("Name") or resource.id or "?"]
    return str(names[0]).lstrip("/")


REMOVE_ATTEMPTS = 8


def _remove(resource: Any, remove: Callable[[Any], None]) -> bool:
    """Remove one resource, tolerating a concurrent cleanup; True once it is gone."""
    for attempt in range(REMOVE_ATTEMPTS):
        try:
            remove(resource)
            return True
        except docker.errors.NotFound:
            return True  # another cleanup got there first
        except docker.errors.APIError:
            # "removal already in progress" (another cleanup) or "active endpoints" (a container
            # still being removed): both settle within moments; wait and try again, bounded.
            time.sleep(0.2 * (attempt + 1))
    return False


OWNER_FILE = "owner"


def claim_state_dir(env_id: str, mode: str, owner: str) -> Path:
    """Create an environment's host-side directory (private to this user), recording who owns it."""
    root = state_root()
    root.mkdir(mode=0o700, exist_ok=True)
    root.chmod(0o700)  # secrets and CA files live below: nobody else may traverse
    path = root / env_id
    path.mkdir(mode=0o700, exist_ok=True)
    (path / OWNER_FILE).write_text(f"{mode}\n{owner}\n")
    return path


def remove_state_dir(env_id: str) -> None:
    """Delete an environment's host-side files."""
    shutil.rmtree(state_root() / env_id, ignore_errors=True)


def reap_state_dirs() -> list[str]:
    """Remove host-side directories of runs whose parity process died (even if no container was made)."""
    root = state_root()
    removed: list[str] = []
    if not root.is_dir():
        return removed
    for path in root.iterdir():
        try:
            mode, owner = (path / OWNER_FILE).read_text().split("\n")[:2]
        except (OSError, ValueError):
            continue  # not ours, or being created right now
        if mode == "run" and not owner_is_alive(owner):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def is_orphan(labels: dict[str, str]) -> bool:
    """A resource of a `run` whose owning parity process is dead."""
    return labels.get(L.MODE) == "run" and not owner_is_alive(labels.get(L.OWNER, ""))


def reap_orphans(client: docker.DockerClient) -> Removed:
    """Remove the resources of runs whose parity process died (SIGKILL, crash), and only those."""
    removed = remove_environments(client, {L.MODE: "run"}, keep=lambda labels: not is_orphan(labels))
    removed.env_ids.update(reap_state_dirs())
    return removed
