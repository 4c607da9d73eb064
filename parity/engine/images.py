"""Getting the images an environment needs: local, pulled, or built offline.

Order of preference: an image already in the engine (whatever its origin, so a `docker
load`ed or self-built image always wins), then the official image from the registry, then
parity's offline stand-in (parity.engine.recipes says which, parity.engine.offline builds
them). Each failure ends in an EnvError that names the image, why it is unavailable, and what
the user can do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import docker
import docker.errors

from parity.engine import clones, inventory
from parity.engine.offline import OFFLINE_LABEL, build_offline_image, outdated
from parity.engine.recipes import can_build_offline, offline_summary, recipe_for
from parity.errors import EnvError, ParityError

# Two cores on the reference machine: two mmdebstrap runs saturate them (dpkg is CPU-bound
# while unpacking); more would only make every build slower.
MAX_PARALLEL_BUILDS = 2


def local_image(client: docker.DockerClient, ref: str) -> docker.models.images.Image | None:
    """The engine's local image `ref`, or None when it has none (no registry access)."""
    try:
        return client.images.get(ref)
    except docker.errors.ImageNotFound:
        return None
    except docker.errors.APIError as exc:
        raise EnvError(
            f"the Docker engine could not look up image {ref}: {_one_line(exc)}",
            "check the engine with `parity doctor`",
        ) from exc


def image_present(client: docker.DockerClient, ref: str) -> bool:
    """True when the engine has `ref` locally (no registry access)."""
    return local_image(client, ref) is not None


def ensure_image(
    client: docker.DockerClient,
    ref: str,
    progress: Callable[[str], None],
    *,
    allow_pull: bool = True,
) -> None:
    """Make `ref` available locally: keep it, pull it, or build the offline stand-in."""
    if image_present(client, ref):
        return
    reason = "pulling is disabled"
    if allow_pull:
        progress(f"pulling {ref}")
        try:
            repository, tag = _split_ref(ref)
            client.images.pull(repository, tag=tag)
            return
        except docker.errors.DockerException as exc:
            # Offline engines fail here at once ("dial tcp: lookup registry-1.docker.io...").
            reason = _one_line(exc)
            progress(f"could not pull {ref}: {reason}")
    if can_build_offline(ref):
        build_offline_image(client, ref, progress)
        return
    raise EnvError(
        f"image {ref} is not in the Docker engine and could not be pulled ({reason})",
        f"parity can build {offline_summary()} offline; for {ref}, restore registry access, "
        f"`docker load -i <file>` a saved copy, or `docker build -t {ref} ...` it yourself",
    )


def describe_image(client: docker.DockerClient, ref: str) -> str:
    """One status phrase for `parity doctor`."""
    try:
        image = client.images.get(ref)
    except docker.errors.ImageNotFound:
        return "missing (buildable offline)" if can_build_offline(ref) else "missing"
    if outdated(ref, image.labels):
        return "present (built offline by an older recipe: `parity images build` rebuilds it)"
    if (image.labels or {}).get(OFFLINE_LABEL) == "true":
        return "present (built offline)"
    return "present"


def build_images(
    client: docker.DockerClient,
    refs: list[str],
    progress: Callable[[str], None],
    *,
    force: bool = False,
) -> None:
    """Build the requested offline images, two at a time, skipping present ones unless force.

    Images are cached by tag: calling this again only builds what is still missing. If some
    builds fail the others still finish, then the first failure is raised (all are reported
    through `progress`).
    """
    unknown = [ref for ref in refs if not can_build_offline(ref)]
    if unknown:
        raise EnvError(
            f"parity cannot build {', '.join(unknown)} offline",
            f"parity can build {offline_summary()} offline; choose from those",
        )
    wanted: list[str] = []
    for ref in dict.fromkeys(refs):  # de-duplicate, keep the caller's order
        recipe = recipe_for(ref)
        assert recipe is not None  # checked above
        present = local_image(client, recipe.ref)
        if present is not None and outdated(recipe.ref, present.labels):
            progress(f"{recipe.ref} was built offline by an older recipe; rebuilding it")
        elif present is not None and not force:
            progress(f"{recipe.ref} is present; not rebuilding (use force to rebuild)")
            continue
        wanted.append(recipe.ref)
    if not wanted:
        return

    # Progress callbacks may print to one terminal; serialise them so lines never interleave.
    lock = threading.Lock()

    def report(message: str) -> None:
        with lock:
            progress(message)

    failures: list[ParityError] = []
    # Worker threads never see KeyboardInterrupt; this event tells them to stop mmdebstrap,
    # so Ctrl-C ends the command in seconds instead of after the running builds.
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=MAX_PARALLEL_BUILDS, thread_name_prefix="offline-build")
    try:
        futures = {
            ref: pool.submit(build_offline_image, client, ref, report, cancel=cancel)
            for ref in wanted
        }
        for ref, future in futures.items():
            try:
                future.result()
            except ParityError as exc:
                report(f"building {ref} failed: {exc.message.splitlines()[0]}")
                failures.append(exc)
    except BaseException:
        cancel.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if failures:
        raise failures[0]


def declared_volumes(image_attrs: dict[str, Any]) -> list[str]:
    """Every VOLUME an image declares."""
    return sorted((image_attrs.get("Config") or {}).get("Volumes") or {})


def volumes_over(image_attrs: dict[str, Any], path: str) -> list[str]:
    """The VOLUMEs an image declares at `path` or above it: what a container mounts over `path`."""
    volumes = (image_attrs.get("Config") or {}).get("Volumes") or {}
    return sorted(v for v in volumes if path == v.rstrip("/") or path.startswith(v.rstrip("/") + "/"))


def _split_ref(ref: str) -> tuple[str, str]:
    """("postgres", "15") from "postgres:15"; a registry port is not mistaken for a tag."""
    name, sep, tag = ref.rpartition(":")
    if not sep or "/" in tag:
        return ref, "latest"
    return name, tag


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


CACHE_REPOSITORIES = ("parity-pgtemplate", "parity-app-")


def prune_caches(client: docker.DockerClient) -> list[str]:
    """Remove parity's cached images (pre-initialised clusters, built apps) that no container uses."""
    in_use = {c.image_id for c in inventory.containers(client)}
    removed: list[str] = []
    for image in client.images.list():
        tags = [t for t in image.tags if t.startswith(CACHE_REPOSITORIES)]
        if not tags or image.id in in_use:
            continue
        for tag in tags:
            try:
                client.images.remove(tag, noprune=False)
                removed.append(tag)
            except docker.errors.APIError:
                pass  # in use after all (a run started meanwhile): keep it
    clones.sweep(client)  # the filled clusters' copies in the reflink store go with their images
    return removed
