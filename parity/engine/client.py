"""The one way parity reaches the Docker engine."""

from __future__ import annotations

import functools

import docker
import docker.errors

from parity.errors import EnvError

ENGINE_FIX = (
    "start a Docker engine (e.g. `sudo systemctl start docker`, or `dockerd &` as root) "
    "or point DOCKER_HOST at one; `parity doctor` checks it"
)


@functools.lru_cache(maxsize=1)
def docker_client() -> docker.DockerClient:
    """Return a client for the engine in the environment (DOCKER_HOST etc.), or fail clearly."""
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except docker.errors.DockerException as exc:
        raise EnvError(f"no Docker engine answers: {_short(exc)}", ENGINE_FIX) from exc
    return client


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
