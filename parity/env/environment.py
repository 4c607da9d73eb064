"""A profile realised: a labelled network and the containers on it, removed as one."""

from __future__ import annotations

import contextlib
import secrets as random_tokens
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import docker
import docker.errors

from parity.engine import inventory
from parity.engine import labels as L
from parity.engine.cleanup import (
    Removed,
    claim_state_dir,
    remove_environments,
    remove_state_dir,
    state_root,
)
from parity.engine.owner import current_owner
from parity.env.database import Database, start_postgres, start_sqlite
from parity.env.host import kill_group
from parity.env.placement import Placement
from parity.errors import Cancelled, EnvError
from parity.profile.loader import LoadedProfile
from parity.profile.models import Profile

SQLITE_MOUNT = "/parity-data"

# Sections that start no container besides the database (they run on this machine).
_NO_CONTAINER_SECTIONS = {"description", "extends", "database", "secrets", "smoke", "host"}


def needs_network(profile: Profile) -> bool:
    """Whether a container besides the database joins the environment: the app, a migrations job in
    the app image, or any section not known to stay on this machine (new ones count, to be safe)."""
    if profile.migrations is not None and profile.migrations.run_in == "app":
        return True
    if profile.database is not None and profile.database.pooler is not None:
        return True  # the pooler reaches the server as `db`
    return bool(profile.model_fields_set - _NO_CONTAINER_SECTIONS - {"migrations"})


class Environment:
    """Everything one profile needs, created with labels from birth and removed on exit."""

    def __init__(
        self,
        client: docker.DockerClient,
        loaded: LoadedProfile,
        project_root: Path,
        *,
        mode: str = "run",
        progress: Callable[[str], None] = lambda _msg: None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.client = client
        self.loaded = loaded
        self.profile = loaded.profile
        self.project_root = project_root
        self.mode = mode
        self.progress = progress
        self.env_id = f"{_slug(loaded.name)}-{random_tokens.token_hex(3)}"
        self.network_name = f"parity-{self.env_id}"
        self.has_network = False
        self.state_dir = state_root() / self.env_id
        self.database: Database | None = None
        self.keep = False
        # Set by close(); `cancel` is the whole run's: either stops the creation of anything new.
        self.closed = threading.Event()
        self.cancel = cancel or threading.Event()
        self.processes: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def check_open(self) -> None:
        """Raise Cancelled if this environment is being torn down (call before creating anything)."""
        if self.closed.is_set() or self.cancel.is_set():
            raise Cancelled

    def track(self, process: subprocess.Popen[bytes]) -> None:
        """A host process (migrations, smoke tests) to kill with the environment."""
        with self._lock:
            self.processes.add(process)
        if self.closed.is_set():
            kill_group(process)

    def labels(self, role: str | None = None) -> dict[str, str]:
        """The labels of this environment's resources."""
        return L.resource_labels(self.env_id, self.loaded.name, str(self.project_root), self.mode, role)

    @property
    def placement(self) -> Placement:
        """Where this environment's containers are made (its network once it has one)."""
        return Placement(self.client, self.env_id, self.network_name if self.has_network else None,
                         self.labels, self.check_open)

    def __enter__(self) -> Environment:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.keep:
            self.close()

    def create_network(self) -> str:
        """The environment's private bridge network (the app reaches the database as `db`).

        Only made when another container joins the database (`needs_network`): a lone database
        is reached through its port on 127.0.0.1, and a network would cost ~0.2 s of `parity up`
        (its creation, and a slower container start for its DNS).
        """
        self.check_open()
        claim_state_dir(self.env_id, self.mode, current_owner())
        if not needs_network(self.profile):
            return self.network_name
        try:
            self.client.networks.create(self.network_name, driver="bridge", labels=self.labels("network"))
        except docker.errors.APIError as exc:
            raise EnvError(f"cannot create network {self.network_name}: {exc.explanation or exc}") from None
        self.has_network = True
        return self.network_name

    def start_database(self, data_fingerprint: str | None = None, statements: bool = False) -> Database | None:
        """Start the profile's database (none if the profile has no database section); with a
        data fingerprint, from the filled cluster cached under it when there is one; `statements`:
        with pg_stat_statements loaded (a rehearsal reads it)."""
        spec = self.profile.database
        if spec is None:
            return None
        self.check_open()
        if not spec.postgres:
            self.database = start_sqlite(spec, self.state_dir / "sqlite", SQLITE_MOUNT)
        else:
            self.database = start_postgres(self.placement, spec, self.state_dir, self.progress,
                                           data_fingerprint=data_fingerprint, statements=statements)
            if spec.pooler is not None:
                from parity.env.pooler import start_pooler  # loaded only for profiles with a pooler

                self.progress(f"starting the pooler ({spec.pooler.kind} {spec.pooler.mode} mode)")
                self.database.pooler = start_pooler(self.placement, self.database, spec)
        return self.database

    def remove_database(self) -> None:
        """Remove the database container and its pooler (a start that failed), to start them again."""
        for role in ("pooler", "database"):
            for container in inventory.containers(self.client, L.label_filter({L.ENV_ID: self.env_id, L.ROLE: role})):
                with contextlib.suppress(docker.errors.NotFound):
                    inventory.remove(self.client, container)
        self.database = None

    def up(self) -> Environment:
        """Create the network and start the database."""
        self.create_network()
        self.start_database()
        return self

    def close(self) -> Removed:
        """Stop its host processes, remove every resource labelled with it, and its host-side files."""
        self.closed.set()
        with self._lock:
            processes = list(self.processes)
        for process in processes:
            kill_group(process)
        removed = remove_environments(self.client, {L.ENV_ID: self.env_id})
        remove_state_dir(self.env_id)
        return removed


def _slug(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name.lower())
    return cleaned.strip("-_")[:30] or "env"
