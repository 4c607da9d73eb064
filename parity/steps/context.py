"""What every step of one profile's run may use: the environment, the app image, secrets, redaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docker

from parity.env.environment import Environment
from parity.env.host import user_environment
from parity.env.secrets import Delivery
from parity.profile.models import Profile
from parity.report.redact import Redactor

if TYPE_CHECKING:  # the app's modules load when a step starts an app (`up` of a database skips them)
    from parity.env.app import AppImage
    from parity.env.balancer import Balancer, Replica


@dataclass
class StepContext:
    """One profile's run in progress; steps read it and record what they started."""

    client: docker.DockerClient
    env: Environment
    project_root: Path
    image: AppImage | None
    secrets: dict[str, str]
    redactor: Redactor
    progress: Callable[[str], None]
    delivery: Delivery = field(default_factory=Delivery)
    # The app's containers (one unless app.replicas), the balancer in front of replicas, and the
    # first replica's container and port; APP_URL is the balancer's when there is one.
    replicas: list[Replica] = field(default_factory=list)
    balancer: Balancer | None = None
    app_container: Any = None
    app_host_port: int | None = None
    app_url: str | None = None
    deadline_grace: float = 60.0
    rehearse: bool = False  # measure the migrations (this profile or the other one asks for it)
    plan: Any = None  # the migrations' Plan (steps.migrations.plan_of), once worked out

    @property
    def profile(self) -> Profile:
        """The profile being run."""
        return self.env.profile

    def host_environment(self) -> dict[str, str]:
        """What a command on this machine gets: the caller's environment (host.venv first on PATH),
        app.env, the secrets' values, the database as seen from here, and APP_URL once the app runs."""
        profile = self.profile
        env = user_environment(profile.host, self.project_root)
        if profile.app:
            env.update(profile.app.env)
        env.update(self.secrets)
        db = self.env.database
        if db is not None:
            env["DATABASE_URL"] = db.url_host
            if db.ca_cert_path:
                env["PGSSLROOTCERT"] = str(db.ca_cert_path)
                env["DB_CA_CERT"] = db.ca_cert or ""
            if profile.database:
                env.update(db.variables(profile.database.env, "host"))
        if self.app_url:
            env["APP_URL"] = self.app_url
        return env

    def container_environment(self) -> dict[str, str]:
        """The environment of the app's containers (the app, a release job): the secrets delivered
        as variables, app.env, and database.env as seen on the environment's network."""
        env = dict(self.delivery.environment)
        if self.profile.app:
            env.update(self.profile.app.env)
        db = self.env.database
        if db is not None and self.profile.database:
            env.update(db.variables(self.profile.database.env, "network"))
        return env

    def say(self, message: str) -> None:
        """Progress, redacted."""
        self.progress(self.redactor.text(message))
