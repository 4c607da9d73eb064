"""The app of a profile: its image (built once, cached by content) and the options that shape its
containers like the production pod (env.running_app runs them)."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import docker.errors

from parity.engine.images import ensure_image
from parity.errors import EnvError, UsageError
from parity.profile.models import AppSpec

APP_ALIAS = "app"
BUILD_TIMEOUT = 900.0


@dataclass(frozen=True)
class AppImage:
    """The image an app runs from, and its working directory (where a .env goes)."""

    ref: str
    workdir: str
    built: bool


def context_digest(context: Path, dockerfile: str) -> str:
    """A digest of the build context's content (what .dockerignore leaves in), so unchanged code is not rebuilt."""
    ignore = _dockerignore(context)
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(context):
        rel_root = Path(root).relative_to(context)
        dirs[:] = sorted(d for d in dirs if not _ignored((rel_root / d).as_posix(), ignore))
        for name in sorted(files):
            rel = (rel_root / name).as_posix()
            if _ignored(rel, ignore) and rel != dockerfile:
                continue
            path = Path(root) / name
            digest.update(rel.encode() + b"\0")
            digest.update(oct(path.stat().st_mode & 0o777).encode())
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
    digest.update(dockerfile.encode())
    return digest.hexdigest()


def _dockerignore(context: Path) -> list[tuple[str, bool]]:
    path = context / ".dockerignore"
    if not path.is_file():
        return []
    patterns = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        patterns.append((line.lstrip("!").strip("/").removeprefix("./"), negate))
    return patterns


def _ignored(rel: str, patterns: list[tuple[str, bool]]) -> bool:
    ignored = False
    for pattern, negate in patterns:
        bare = pattern.removeprefix("**/")
        if (
            fnmatch.fnmatch(rel, pattern)
            or fnmatch.fnmatch(rel, pattern + "/*")
            or fnmatch.fnmatch(rel.rsplit("/", 1)[-1], bare)
            or rel.startswith(pattern + "/")
        ):
            ignored = not negate
    return ignored


def prepare_image(
    client: docker.DockerClient, spec: AppSpec, project_root: Path, progress: Callable[[str], None]
) -> AppImage:
    """Build the app (or make sure its image exists); builds are cached by the context's content."""
    if spec.image:
        ensure_image(client, spec.image, progress)
        return AppImage(spec.image, _workdir(client, spec.image), built=False)
    assert spec.build is not None
    context = (project_root / spec.build).resolve()
    if not context.is_dir():
        raise UsageError(f"app.build: the build context {context} does not exist", "point app.build at the directory of your Dockerfile")
    dockerfile = context / spec.dockerfile
    if not dockerfile.is_file():
        raise UsageError(f"app.build: no {spec.dockerfile} in {context}", "add a Dockerfile or set app.dockerfile")
    ref = f"parity-app-{_slug(context.name)}:{context_digest(context, spec.dockerfile)[:16]}"
    try:
        client.images.get(ref)
        progress(f"app image {ref} is up to date (build context unchanged)")
        return AppImage(ref, _workdir(client, ref), built=False)
    except docker.errors.ImageNotFound:
        pass
    _ensure_base_images(client, dockerfile, progress)
    progress(f"building the app image from {spec.build}/{spec.dockerfile}")
    _build(client, context, spec.dockerfile, ref)
    return AppImage(ref, _workdir(client, ref), built=True)


def base_images(dockerfile: Path) -> list[str]:
    """The external images a Dockerfile builds FROM (not scratch, not its own stages, no ARG refs)."""
    stages: set[str] = set()
    bases: list[str] = []
    for line in dockerfile.read_text().splitlines():
        words = line.split()
        if len(words) >= 2 and words[0].upper() == "FROM":
            base = next((w for w in words[1:] if not w.startswith("--")), "")
            if base and base.lower() != "scratch" and base not in stages and "$" not in base:
                bases.append(base)
            if len(words) >= 4 and words[-2].upper() == "AS":
                stages.add(words[-1])
    return bases


def _ensure_base_images(client: docker.DockerClient, dockerfile: Path, progress: Callable[[str], None]) -> None:
    # FROM images must exist before a build where pulls fail: build offline stand-ins if needed.
    for base in base_images(dockerfile):
        ensure_image(client, base, progress)


def _build(client: docker.DockerClient, context: Path, dockerfile: str, ref: str) -> None:
    deadline = time.monotonic() + BUILD_TIMEOUT
    log: list[str] = []
    steps: list[str] = []  # the intermediate containers the engine reported ("Running in <id>")
    try:
        for chunk in client.api.build(
            path=str(context), dockerfile=dockerfile, tag=ref, rm=True, forcerm=True, decode=True,
            labels={"io.parity.app-image": "true"},
        ):
            if "stream" in chunk:
                for line in str(chunk["stream"]).splitlines():
                    if line.strip():
                        log.append(line)
                    found = _RUNNING_IN.search(line)
                    if found:
                        steps.append(found.group(1))
            if "error" in chunk:
                tail = "\n".join(log[-15:])
                raise EnvError(f"building the app image failed: {chunk['error'].strip()}\n{tail}",
                               "fix the Dockerfile (the build log above shows where it stopped)")
            if time.monotonic() > deadline:
                raise EnvError(f"building the app image took longer than {BUILD_TIMEOUT:.0f}s", "check the Dockerfile")
    except docker.errors.APIError as exc:
        _discard_step(client, steps)
        raise EnvError(f"building the app image failed: {exc.explanation or exc}", "check the Dockerfile") from None
    except BaseException:
        # Cut short (Ctrl-C, SIGTERM, the timeout): the engine cancels a build only once the
        # stream's connection closes, and removes its container after parity has gone. Remove
        # the step's container now: its RUN fails, the build stops, nothing is left behind.
        _discard_step(client, steps)
        raise


_RUNNING_IN = re.compile(r"Running in ([0-9a-f]{12,64})")


def _discard_step(client: docker.DockerClient, steps: list[str], wait: float = 10.0) -> None:
    if not steps:
        return
    container = steps[-1]
    deadline = time.monotonic() + wait
    while True:
        try:
            client.api.remove_container(container, force=True)
        except docker.errors.NotFound:
            return
        except docker.errors.APIError:
            pass  # 409: the engine is removing it already; wait until it is gone
        else:
            return
        if time.monotonic() > deadline:
            return
        time.sleep(0.1)


def _workdir(client: docker.DockerClient, ref: str) -> str:
    config: dict[str, Any] = client.images.get(ref).attrs.get("Config") or {}
    return str(config.get("WorkingDir") or "/")


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "app"


def container_options(
    spec: AppSpec, *, environment: dict[str, str], mounts: dict[str, tuple[str, bool]], labels: dict[str, str]
) -> dict[str, Any]:
    """docker create() options that shape a container like the profile's production pod."""
    options: dict[str, Any] = {
        "environment": environment,
        "labels": labels,
        "volumes": {host: {"bind": target, "mode": "ro" if ro else "rw"} for host, (target, ro) in mounts.items()},
        "read_only": spec.read_only,
        "init": False,
    }
    if spec.memory:
        # No swap: a pod over its limit is OOM-killed, not slowed down.
        options.update(mem_limit=spec.memory, memswap_limit=spec.memory)
    if spec.cpus:
        options["nano_cpus"] = int(spec.cpus * 1e9)
    if spec.tmpfs:
        options["tmpfs"] = {path: "rw,exec,mode=1777" for path in spec.tmpfs}
    if spec.user:
        options["user"] = spec.user
    if spec.command is not None:
        options["command"] = spec.command
    return options
