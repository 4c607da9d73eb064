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
        # Without a version, the client asks the engine for its own (GET /version): that call is
        # the check that an engine answers.
        client = docker.from_env(timeout=120)
    except docker.errors.DockerException as exc:
        raise EnvError(f"no Docker engine answers: {_short(exc)}", ENGINE_FIX) from exc
    return client


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
