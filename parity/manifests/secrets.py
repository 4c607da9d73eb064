"""Secret names found in a manifest, and how each is delivered: `secrets.values.NAME.deliver`,
`secrets.source` and `secrets.path`. Values are never read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from parity.manifests.mapping import ManifestMapping, secret_env_name


@dataclass(frozen=True)
class FoundSecret:
    """One secret the app gets: the name it sees (a variable or a file), and how."""

    name: str
    deliver: str  # env | files
    source: str
    path: str | None = None  # files: the directory it is mounted in


class SecretNames:
    """Collects the secrets of one workload and maps them once all are known."""

    def __init__(self, result: ManifestMapping) -> None:
        """`result`: where the keys go."""
        self.result = result
        self.found: dict[str, FoundSecret] = {}

    def add(self, name: str, deliver: str, source: str, path: str | None = None) -> None:
        """A secret the app receives as a variable (env) or a file in `path` (files)."""
        self.found[name] = FoundSecret(name, deliver, source, path)

    def finish(self) -> None:
        """Map secrets.source, secrets.path and each secret's name and delivery."""
        if not self.found:
            return
        source = self._source()
        self.result.add("secrets.source", source[0], source[1])
        paths = [s.path for s in self.found.values() if s.deliver == "files" and s.path]
        if paths:
            first = next(s for s in self.found.values() if s.deliver == "files")
            self.result.add("secrets.path", paths[0], f"where {first.name} is mounted ({first.source})")
            for other in sorted(set(paths) - {paths[0]}):
                self.result.skip(f"secret volume at {other}", f"secrets.path takes one directory ({paths[0]})")
        for secret in self.found.values():
            # Where parity takes the value from on the machine it runs on: a variable of that name.
            value = {"env": secret_env_name(secret.name), "deliver": secret.deliver}
            self.result.add(("secrets", "values", secret.name), value,
                            f"{secret.source}; parity reads it from ${value['env']} here")

    def _source(self) -> tuple[str, str]:
        # DATABASE_URL travels through secrets.source: when the manifest gives it as a variable,
        # the app reads it as one, whatever the other secrets do.
        url = next((s for s in self.result.supplied if s.placeholder == "url"), None)
        if url is not None:
            return url.via, f"the way {url.name} reaches the app ({url.source})"
        counts = Counter(s.deliver for s in self.found.values())
        source = "files" if counts["files"] > counts["env"] else "env"
        return source, f"how most of its {len(self.found)} secret(s) reach the app ({dict(counts)})"
