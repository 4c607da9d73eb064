"""Thin copies of cached filled clusters: each environment's database gets its own copy of the
cluster in time independent of its size, on a filesystem with reflinks (copy-on-write per extent).

The storage driver copies a whole file up the first time it is opened for writing, and Postgres
opens its relation files O_RDWR even to read them: a start from a filled image copies the data it
touches, seconds per GB. Here, when parity runs as root next to the engine and mkfs.xfs exists, a
sparse file formatted XFS with reflink=1 is loop-mounted at STORE (made once, kept across runs);
each filled cluster is kept there once (clusters/<image id>), and each environment's database
bind-mounts a reflink copy of it (envs/<env id>), which shares every block until one is written.
Anywhere else there is no store and a start copies up from the image, as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docker

STORE = Path(os.environ.get("PARITY_CLONE_STORE", "/var/lib/parity/clones"))
STORE_BYTES = 512 * 2**30  # sparse: the file takes only what is written into it
KEEP_TIMEOUT_S = 1800  # copying a cluster into the store once: as long as reading it takes


def _mounted(path: Path) -> bool:
    try:
        mounts = Path("/proc/self/mounts").read_text()
    except OSError:
        return False
    return any(line.split()[1:3] == [str(path), "xfs"] for line in mounts.splitlines() if len(line.split()) > 2)


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    # Parallel runs (both profiles of one run, or two parity processes) make the store once.
    with open(STORE.with_name(STORE.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def local_engine(client: docker.DockerClient) -> bool:
    """The engine runs on this machine (a unix socket), so a path here can be bind-mounted."""
    return str(client.api.base_url).startswith("http+docker://localhost")


def store(client: docker.DockerClient) -> Path | None:
    """The mounted reflink store, made and mounted if it can be (root, mkfs.xfs, a local engine);
    None where it cannot, or PARITY_NO_CLONES is set: starts then copy up from the image."""
    if os.environ.get("PARITY_NO_CLONES") or not local_engine(client):
        return None
    if _mounted(STORE):
        return STORE
    if os.geteuid() != 0 or not shutil.which("mkfs.xfs") or not shutil.which("mount"):
        return None
    backing = STORE.with_name(STORE.name + ".xfs")
    try:
        STORE.parent.mkdir(parents=True, exist_ok=True)
        with _locked():
            if _mounted(STORE):
                return STORE
            if not backing.exists():
                part = backing.with_name(backing.name + ".part")
                with open(part, "wb") as file:
                    file.truncate(STORE_BYTES)
                subprocess.run(["mkfs.xfs", "-q", "-m", "reflink=1", str(part)], check=True, capture_output=True,
                               timeout=120)
                part.rename(backing)
            STORE.mkdir(exist_ok=True)
            # discard: blocks freed in the store are given back to the disk (the file stays sparse).
            subprocess.run(["mount", "-o", "loop,discard", str(backing), str(STORE)], check=True, capture_output=True,
                           timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return STORE if _mounted(STORE) else None


def _kept_dir(root: Path, image_id: str) -> Path:
    return root / "clusters" / image_id.removeprefix("sha256:")[:24]


def keep(client: docker.DockerClient, image: str, data_dir: str, labels: dict[str, str]) -> bool:
    """Copy the cluster at `data_dir` in `image` (a filled cluster, shut down) into the store,
    once per image, by a container labelled `labels`; False where there is no store."""
    root = store(client)
    if root is None:
        return False
    image_id = str(client.images.get(image).id)
    target = _kept_dir(root, image_id)
    if target.is_dir():
        return True
    _sweep(client, root)
    part = target.with_name(f"{target.name}.part-{secrets.token_hex(4)}")
    part.mkdir(parents=True)
    # Copied by the image's own tools: owners and modes stay the image's (its postgres user).
    script = 'cp -a "$PGDATA"/. /parity-keep/ && chown "$(stat -c %u:%g "$PGDATA")" /parity-keep && chmod 700 /parity-keep'
    container = client.containers.create(image_id, entrypoint=["sh", "-c", script], labels=labels,
                                         environment={"PGDATA": data_dir},
                                         volumes={str(part): {"bind": "/parity-keep", "mode": "rw"}})
    try:
        container.start()
        code = int(container.wait(timeout=KEEP_TIMEOUT_S).get("StatusCode", 1))
    finally:
        container.remove(force=True, v=True)
    if code != 0:
        shutil.rmtree(part, ignore_errors=True)
        return False
    # Written back now, once: a reflink of a file with dirty pages waits for them to be written,
    # so otherwise the first start from it would (seconds per GB).
    subprocess.run(["sync", "-f", str(part)], capture_output=True, timeout=KEEP_TIMEOUT_S, check=False)
    try:
        part.rename(target)
    except OSError:  # another run kept it meanwhile
        shutil.rmtree(part, ignore_errors=True)
    return True


def sweep(client: docker.DockerClient) -> None:
    """Remove kept clusters whose image is gone (`parity images prune`, `docker rmi`); nothing
    when the store is not mounted."""
    if _mounted(STORE):
        _sweep(client, STORE)


def _sweep(client: docker.DockerClient, root: Path) -> None:
    kept = root / "clusters"
    if not kept.is_dir():
        return
    present = {_kept_dir(root, str(image.id)).name for image in client.images.list()}
    for path in kept.iterdir():
        if ".part-" not in path.name and path.name not in present:
            shutil.rmtree(path, ignore_errors=True)


def clone(client: docker.DockerClient, image: str, env_id: str) -> Path | None:
    """A reflink copy of the cluster kept for `image`, this environment's own (removed with it);
    None when the store or the kept cluster is not there."""
    root = store(client)
    if root is None:
        return None
    source = _kept_dir(root, str(client.images.get(image).id))
    if not source.is_dir():
        return None
    target = root / "envs" / env_id / "pgdata"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    done = subprocess.run(["cp", "-a", "--reflink=always", f"{source}/.", str(target)], capture_output=True,
                          timeout=600, check=False)
    if done.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        return None
    return target


def remove(env_id: str) -> None:
    """Delete an environment's copy (nothing when the store is not mounted)."""
    if env_id and _mounted(STORE):
        shutil.rmtree(STORE / "envs" / env_id, ignore_errors=True)
