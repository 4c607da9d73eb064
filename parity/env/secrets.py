"""Secrets: resolve their values on this machine, deliver them the profile's way, never print them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from parity.errors import ProfileError
from parity.profile.models import SecretsSpec


@dataclass
class Delivery:
    """How the app container receives its secrets: environment variables and read-only mounts."""

    environment: dict[str, str] = field(default_factory=dict)
    # host path -> (container path, read-only)
    mounts: dict[str, tuple[str, bool]] = field(default_factory=dict)


def resolve_values(spec: SecretsSpec | None, project_root: Path) -> dict[str, str]:
    """Each secret's value, read from where the profile says (env var, file, literal)."""
    values: dict[str, str] = {}
    if spec is None:
        return values
    for name, source in spec.values.items():
        if source.env is not None:
            if source.env not in os.environ:
                raise ProfileError(
                    f"secret {name}: the environment variable {source.env} is not set",
                    f"export {source.env}=... before running parity, or give the secret as "
                    f"{{file: path}} or {{value: ...}} in the profile",
                )
            values[name] = os.environ[source.env]
        elif source.file is not None:
            path = Path(source.file).expanduser()
            path = path if path.is_absolute() else project_root / path
            try:
                values[name] = path.read_text().rstrip("\n")
            except OSError as exc:
                raise ProfileError(
                    f"secret {name}: cannot read {path}: {exc.strerror or exc}",
                    "create the file or point secrets.values.{name}.file at an existing one",
                ) from None
        else:
            values[name] = source.value or ""
    return values


def dotenv_text(values: dict[str, str]) -> str:
    """A .env file: NAME=value, quoted (with \\n escapes) where the value needs it."""
    lines = []
    for name, value in values.items():
        if any(ch in value for ch in "\n\"'#= \\$"):
            escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("$", "\\$")
            lines.append(f'{name}="{escaped}"')
        else:
            lines.append(f"{name}={value}")
    return "\n".join(lines) + "\n"


def deliver(spec: SecretsSpec | None, values: dict[str, str], workdir: str, state_dir: Path) -> Delivery:
    """Prepare the delivery of `values`, each the way its `deliver` says, else per `secrets.source`
    (files on host are removed with the env)."""
    source = spec.source if spec else "env"
    ways = {name: (spec.delivered(name) if spec else source) for name in values}
    delivery = Delivery()
    delivery.environment.update({name: value for name, value in values.items() if ways[name] == "env"})
    files = {name: value for name, value in values.items() if ways[name] == "files"}
    if files or source == "files":
        secrets_dir = state_dir / "secrets"
        secrets_dir.mkdir(parents=True, exist_ok=True)
        for name, value in files.items():
            file = secrets_dir / name
            file.write_text(value)
            # Readable by the app whatever uid it runs as, writable by nobody (as a k8s secret volume).
            file.chmod(0o444)
        secrets_dir.chmod(0o555)
        delivery.mounts[str(secrets_dir)] = (spec.files_path() if spec else "/run/secrets", True)
    if source == "dotenv":
        assert spec is not None
        target = PurePosixPath(spec.resolved_path())
        if not target.is_absolute():
            target = PurePosixPath(workdir or "/") / target
        dotenv = state_dir / "secrets.env"
        dotenv.write_text(dotenv_text({name: value for name, value in values.items() if ways[name] == "dotenv"}))
        dotenv.chmod(0o444)
        delivery.mounts[str(dotenv)] = (str(target), True)
    return delivery
