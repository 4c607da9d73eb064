"""What every step of one profile's run may use: the environment, the app image, secrets, redaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker

from parity.env.app import AppImage
from parity.env.environment import Environment
from parity.env.secrets import Delivery
from parity.profile.models import Profile
from parity.report.redact import Redactor


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
    app_container: Any = None
    app_host_port: int | None = None
    app_url: str | None = None
    deadline_grace: float = 60.0

    @property
    def profile(self) -> Profile:
        """The profile being run."""
        return self.env.profile

    def say(self, message: str) -> None:
        """Progress, redacted."""
        self.progress(self.redactor.text(message))
