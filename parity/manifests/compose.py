"""A compose service read into profile keys: limits, read_only, user, tmpfs, secrets, env_file
names, replicas and the stop grace period, with `.env` interpolation as compose does it."""

from __future__ import annotations

import os
from pathlib import Path

from parity.errors import ProfileError
from parity.manifests.documents import Document, mapping_at, read_mapping, sequence, whole
from parity.manifests.interpolation import dotenv_names, interpolate_all, read_dotenv
from parity.manifests.mapping import ManifestMapping, looks_secret, size_written
from parity.manifests.quantities import QuantityError, compose_cpus, compose_size, go_duration
from parity.manifests.secrets import SecretNames

# compose mounts a service's secrets here unless a target says otherwise.
SECRETS_DIR = "/run/secrets"
_REASONS = {
    "healthcheck": "docker's healthcheck marks the container (un)healthy while it runs; parity's readiness "
                   "is app.startup_probe: write one by hand",
    "depends_on": "parity starts the database (and pooler) before the app itself",
    "restart": "parity reports a crash instead of restarting the app",
    "entrypoint": "no profile key: app.command replaces the image's CMD only",
    "stop_signal": "parity stops the app with the image's stop signal",
    "networks": "parity puts the app on its own network with the database",
    "volumes": "only tmpfs volumes have a profile key (app.tmpfs)",
    "container_name": "parity names (and labels) its own containers",
}
_HANDLED = {"image", "build", "command", "ports", "expose", "mem_limit", "cpus", "read_only", "user", "tmpfs",
            "environment", "env_file", "secrets", "stop_grace_period", "deploy", "scale", "volumes"}


def import_compose(path: Path, service: str, project_root: Path) -> ManifestMapping:
    """Read one service of a compose file (interpolated from the .env beside it) into profile keys."""
    raw = read_mapping(path, "compose file")
    dotenv = path.parent / ".env"
    variables = read_dotenv(dotenv, {}) if dotenv.is_file() else {}
    data = interpolate_all(raw, variables, str(path))
    assert isinstance(data, dict)
    services = mapping_at(data, "services")
    if service not in services:
        known = ", ".join(services) or "none"
        raise ProfileError(f"{path} has no service {service!r} (services: {known})",
                           f"pass --service with one of: {known}")
    return ServiceReader(path, service, mapping_at(services, service), project_root).read()


class ServiceReader:
    """One compose service read into a ManifestMapping."""

    def __init__(self, path: Path, name: str, service: Document, project_root: Path) -> None:
        """`project_root`: app.build is written relative to it."""
        self.path = path
        self.service = service
        self.at = f"services.{name}"
        self.project_root = project_root
        self.result = ManifestMapping(origin=f"service {name} ({path})")
        self.secrets = SecretNames(self.result)

    def read(self) -> ManifestMapping:
        """Map every field of the service."""
        self._image()
        self._port()
        self._limits()
        self._security()
        self._env()
        self._secrets()
        self._deploy()
        for field in self.service:
            if field not in _HANDLED:
                self.result.skip(f"{self.at}.{field}", _REASONS.get(field, "no profile key for it"))
        self.secrets.finish()
        return self.result

    def _image(self) -> None:
        s, add = self.service, self.result.add
        build = s.get("build")
        if build is not None:
            context = build if isinstance(build, str) else str(mapping_at(s, "build").get("context", "."))
            where = (self.path.parent / context).resolve()
            add("app.build", os.path.relpath(where, self.project_root.resolve()), f"{self.at}.build")
            if isinstance(build, dict) and build.get("dockerfile"):
                add("app.dockerfile", str(build["dockerfile"]), f"{self.at}.build.dockerfile")
            if s.get("image"):
                self.result.skip(f"{self.at}.image", "compose builds the app and tags the build so: app.build")
        elif s.get("image"):
            add("app.image", str(s["image"]), f"{self.at}.image")
        if s.get("command") is not None:
            command = s["command"]
            add("app.command", [str(x) for x in command] if isinstance(command, list) else str(command),
                f"{self.at}.command")

    def _port(self) -> None:
        ports = sequence(self.service.get("ports"))
        expose = sequence(self.service.get("expose"))
        if ports:
            first = ports[0]
            target = first.get("target") if isinstance(first, dict) else str(first).rsplit(":", 1)[-1].split("/")[0]
            if str(target).isdigit():
                self.result.add("app.port", whole(target, f"{self.at}.ports[0]"), f"{self.at}.ports[0] (the container's port)")
        elif expose:
            self.result.add("app.port", whole(str(expose[0]).split("/")[0], f"{self.at}.expose[0]"), f"{self.at}.expose[0]")

    def _limits(self) -> None:
        limits = mapping_at(self.service, "deploy", "resources", "limits")
        memory, memory_at = ((limits["memory"], "deploy.resources.limits.memory") if "memory" in limits
                             else (self.service.get("mem_limit"), "mem_limit"))
        cpus, cpus_at = ((limits["cpus"], "deploy.resources.limits.cpus") if "cpus" in limits
                         else (self.service.get("cpus"), "cpus"))
        if memory is None:
            self.result.add("app.memory", None, f"{self.at}: no mem_limit or deploy.resources.limits.memory")
        if cpus is None:
            self.result.add("app.cpus", None, f"{self.at}: no cpus or deploy.resources.limits.cpus")
        try:
            if memory is not None:
                size = compose_size(memory)
                self.result.add("app.memory", size, f"{self.at}.{memory_at}: {memory}", written=size_written(size))
            if cpus is not None:
                self.result.add("app.cpus", compose_cpus(cpus), f"{self.at}.{cpus_at}: {cpus}")
        except QuantityError as exc:
            raise ProfileError(f"{self.path}: {self.at}: {exc}", "write a size such as 512m or 1g, cpus such as 0.5") from None
        for field in sorted(set(limits) - {"memory", "cpus"}):
            self.result.skip(f"{self.at}.deploy.resources.limits.{field}", "only memory and cpus have profile keys")

    def _security(self) -> None:
        s = self.service
        if "read_only" in s:
            self.result.add("app.read_only", bool(s["read_only"]), f"{self.at}.read_only")
        if s.get("user") is not None:
            self.result.add("app.user", str(s["user"]), f"{self.at}.user")
        tmpfs = s.get("tmpfs")
        entries = [tmpfs] if isinstance(tmpfs, str) else [str(t) for t in sequence(tmpfs)]
        paths = []
        for entry in entries:
            path, _, options = entry.partition(":")
            paths.append(path)
            if options:
                self.result.skip(f"{self.at}.tmpfs {entry}", "tmpfs options: parity mounts rw,exec,mode=1777")
        for volume in sequence(s.get("volumes")):
            if isinstance(volume, dict) and volume.get("type") == "tmpfs":
                paths.append(str(volume.get("target")))
            else:
                self.result.skip(f"{self.at}.volumes {_volume_text(volume)}", _REASONS["volumes"])
        if paths:
            self.result.add("app.tmpfs", paths, f"{self.at}.tmpfs")

    def _env(self) -> None:
        environment = self.service.get("environment")
        if isinstance(environment, list):
            pairs = [str(item).partition("=") for item in environment]
            items: dict[str, object] = {name: (value if sep else None) for name, sep, value in pairs}
        else:
            items = {str(k): v for k, v in mapping_at(self.service, "environment").items()}
        for name, value in items.items():
            at = f"{self.at}.environment.{name}"
            if self.result.supply(name, at):
                continue
            if value is None:
                self.result.skip(at, "its value comes from the shell, which parity does not consult")
            elif looks_secret(name):
                self.secrets.add(name, "env", f"{at} (its name says secret: value not copied)")
            else:
                text = str(value).lower() if isinstance(value, bool) else str(value)
                self.result.add(("app", "env", name), text, at)
        self._env_files()

    def _env_files(self) -> None:
        env_file = self.service.get("env_file")
        entries = [env_file] if isinstance(env_file, str | dict) else sequence(env_file)
        for entry in entries:
            name = str(entry.get("path")) if isinstance(entry, dict) else str(entry)
            required = not isinstance(entry, dict) or entry.get("required", True) is not False
            file = self.path.parent / name
            at = f"{self.at}.env_file {name}"
            if not file.is_file():
                if required:
                    self.result.skip(at, "the file is not here: its variables' names are unknown")
                continue
            for variable in dotenv_names(file):
                if not self.result.supply(variable, at):
                    self.secrets.add(variable, "env", f"{at} (value never written)")

    def _secrets(self) -> None:
        for entry in sequence(self.service.get("secrets")):
            source = str(entry.get("source")) if isinstance(entry, dict) else str(entry)
            target = str(entry.get("target") or source) if isinstance(entry, dict) else source
            directory, _, file = (target.rpartition("/") if target.startswith("/") else (SECRETS_DIR, "", target))
            at = f"{self.at}.secrets[{source}]"
            if not self.result.supply(file, at, via="files"):
                self.secrets.add(file, "files", f"{at}: mounted as {directory}/{file}", path=directory)

    def _deploy(self) -> None:
        deploy = mapping_at(self.service, "deploy")
        replicas = deploy.get("replicas", self.service.get("scale"))
        if replicas is not None:
            count = whole(replicas, f"{self.at}.deploy.replicas")
            field = "deploy.replicas" if "replicas" in deploy else "scale"
            self.result.add("app.replicas", count if count > 1 else None, f"{self.at}.{field}: {count}")
        grace = self.service.get("stop_grace_period")
        if grace is not None:
            try:
                seconds = go_duration(grace)
            except QuantityError as exc:
                raise ProfileError(f"{self.path}: {self.at}.stop_grace_period: {exc}", "write e.g. 30s or 1m30s") from None
            self.result.add("app.shutdown.termination_grace_period", seconds, f"{self.at}.stop_grace_period: {grace}",
                            written=f"{seconds:g}s")
        for field in sorted(set(deploy) - {"replicas", "resources"}):
            self.result.skip(f"{self.at}.deploy.{field}", "no profile key for it")
        for field in sorted(set(mapping_at(deploy, "resources")) - {"limits"}):
            self.result.skip(f"{self.at}.deploy.resources.{field}", "only limits cap the container")


def _volume_text(volume: object) -> str:
    if isinstance(volume, dict):
        return f"{volume.get('source', '')}:{volume.get('target', '')}"
    return str(volume)
