"""Removing parity's resources: one environment, a profile's, everything, or dead runs' orphans."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import docker
import docker.errors

from parity.engine import clones, inventory
from parity.engine import labels as L
from parity.engine.inventory import Filters, Listed
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
    keep: Callable[[Mapping[str, str]], bool] = lambda _labels: False,
) -> Removed:
    """Remove parity's containers, then networks and volumes, matching the labels (unless `keep`)."""
    removed = Removed()
    filters = L.label_filter(selector)
    # Containers first: a network or volume in use cannot be removed. The inventory lists
    # without inspecting each resource, so one vanishing mid-list (another cleanup) is no error.
    kinds: list[tuple[list[str], Callable[[docker.DockerClient, Filters], list[Listed]]]] = [
        (removed.containers, inventory.containers),
        (removed.networks, inventory.networks),
        (removed.volumes, inventory.volumes),
    ]
    for names, listing in kinds:
        doomed = [r for r in listing(client, filters) if not keep(r.labels)]
        # In parallel: stopping a container waits for its process; the app and the database
        # (and both profiles' environments) need not wait for each other.
        with ThreadPoolExecutor(max_workers=max(1, min(8, len(doomed)))) as pool:
            outcomes = list(pool.map(lambda r: _remove(client, r), doomed))
        for resource, gone in zip(doomed, outcomes, strict=True):
            (names if gone else removed.failed).append(resource.name)
            removed.env_ids.add(resource.labels.get(L.ENV_ID, ""))
    for env_id in removed.env_ids - {""}:
        remove_state_dir(env_id)
    return removed


REMOVE_ATTEMPTS = 8


def _remove(client: docker.DockerClient, resource: Listed) -> bool:
    """Remove one resource, tolerating a concurrent cleanup; True once it is gone."""
    for attempt in range(REMOVE_ATTEMPTS):
        try:
            inventory.remove(client, resource)
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
    """Delete an environment's host-side files (its copy of a filled cluster too)."""
    shutil.rmtree(state_root() / env_id, ignore_errors=True)
    clones.remove(env_id)


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


def is_orphan(labels: Mapping[str, str]) -> bool:
    """A resource of a `run` whose owning parity process is dead."""
    return labels.get(L.MODE) == "run" and not owner_is_alive(labels.get(L.OWNER, ""))


def reap_orphans(client: docker.DockerClient) -> Removed:
    """Remove the resources of runs whose parity process died (SIGKILL, crash), and only those."""
    removed = remove_environments(client, {L.MODE: "run"}, keep=lambda labels: not is_orphan(labels))
    removed.env_ids.update(reap_state_dirs())
    return removed
