"""parity from Python: a profile's environment as a context manager, in the style of a
testcontainers container (`with parity.environment("prod") as env: env.database_url`)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from parity.errors import StepFailed


@dataclass(frozen=True)
class RunningEnvironment:
    """A profile's environment while the `with` block runs: how a test reaches it."""

    profile: str
    env_id: str
    database_url: str | None
    app_url: str | None
    # The variables a command on this machine gets from parity (DATABASE_URL, PGSSLROOTCERT and
    # DB_CA_CERT under TLS, database.env, app.env, the secrets' values, APP_URL): never printed.
    env: dict[str, str] = field(repr=False)

    def __repr__(self) -> str:
        # The URLs carry passwords: the repr names the environment only.
        return f"RunningEnvironment(profile={self.profile!r}, env_id={self.env_id!r})"


@contextlib.contextmanager
def environment(name: str, project: str | os.PathLike[str] = ".", *, profiles_dir: str | os.PathLike[str] | None = None,
                say: Callable[[str], None] | None = None) -> Iterator[RunningEnvironment]:
    """Bring up profile `name` of the project (database, data, migrations, app: what `parity up`
    starts) and remove all of it when the block ends, however it ends. Raises ProfileError (exit 2),
    EnvError (no engine, exit 3) or StepFailed (a step failed) before the block runs."""
    from parity.engine.cleanup import remove_environments, remove_state_dir
    from parity.engine.client import docker_client
    from parity.engine.labels import ENV_ID
    from parity.project import Project
    from parity.run import start_environment

    run, kept = start_environment(Project.at(Path(project), Path(profiles_dir) if profiles_dir else None), name, say or (lambda _m: None), owned=True)
    try:
        failed = [(step, result) for step, result in run.steps.items() if result.status in ("failed", "error")]
        if failed:
            step, result = failed[0]
            raise StepFailed(f"{name}: {step} {result.status}: {result.summary}",
                             f"`parity up --profile {name}` shows the whole output")
        yield RunningEnvironment(profile=name, env_id=kept.env_id, database_url=kept.exports.get("DATABASE_URL"),
                                 app_url=kept.exports.get("APP_URL"), env=dict(kept.environment))
    finally:
        remove_environments(docker_client(), {ENV_ID: kept.env_id})
        remove_state_dir(kept.env_id)
