"""Which manifest to read (Kubernetes files or a compose service), and reading it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from parity.errors import ProfileError
from parity.manifests.mapping import ManifestMapping


@dataclass(frozen=True)
class ManifestSource:
    """A manifest on the command line: its kind, its files, and which workload/container/service."""

    kind: Literal["k8s", "compose"]
    files: tuple[Path, ...]
    container: str | None = None
    workload: str | None = None
    service: str | None = None

    def read(self, project_root: Path) -> ManifestMapping:
        """The manifest's profile keys (app.build from compose is made relative to `project_root`)."""
        if self.kind == "k8s":
            from parity.manifests.k8s import Selection, import_k8s

            return import_k8s(self.files, Selection(container=self.container, workload=self.workload))
        from parity.manifests.compose import import_compose

        if len(self.files) != 1:
            raise ProfileError("compose takes one file", "pass the compose file, e.g. docker-compose.yml")
        if not self.service:
            raise ProfileError("a compose file holds several services: which one is the app?",
                               "pass --service NAME")
        return import_compose(self.files[0], self.service, project_root)

    def command(self) -> str:
        """The import command that reads this source, as a user would type it."""
        words = ["parity", "profiles", "import", self.kind, *map(str, self.files)]
        for flag, value in (("--container", self.container), ("--workload", self.workload),
                            ("--service", self.service)):
            if value:
                words += [flag, value]
        return " ".join(words)
