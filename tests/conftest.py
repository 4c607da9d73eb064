"""Shared fixtures: a Docker client for integration tests, and a leak check around each of them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def docker_client():  # type: ignore[no-untyped-def]
    """A client for the engine. In CI (PARITY_REQUIRE_DOCKER=1) a missing engine fails, never skips."""
    from parity.engine.client import docker_client as connect
    from parity.errors import EnvError

    connect.cache_clear()
    try:
        return connect()
    except EnvError as exc:
        if os.environ.get("PARITY_REQUIRE_DOCKER") == "1":
            pytest.fail(f"integration tests need a Docker engine: {exc}")
        pytest.skip(f"no Docker engine: {exc}")


def parity_resources(client, under: Path) -> set[str]:  # type: ignore[no-untyped-def]
    """Ids of parity's containers, networks and volumes whose project lies under a directory."""
    from parity.engine import labels as L

    root = str(under.resolve())

    def ours(labels: dict[str, str] | None) -> bool:
        return (labels or {}).get(L.PROJECT, "").startswith(root)

    f = L.label_filter()
    # sparse: no inspect per container, so one removed meanwhile by a concurrent cleanup (another
    # parity reaping dead runs on the same engine) is no error.
    found = {c.id for c in client.containers.list(all=True, sparse=True, filters=f) if ours(c.attrs.get("Labels"))}
    found |= {n.id for n in client.networks.list(filters=f) if ours(n.attrs.get("Labels"))}
    found |= {v.id for v in client.volumes.list(filters=f) if ours(v.attrs.get("Labels"))}
    return found


@pytest.fixture
def no_leaks(docker_client, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Fail the test if it leaves behind parity resources of the test projects (others' runs are ignored)."""
    base = tmp_path_factory.getbasetemp()

    def ids() -> set[str]:
        return parity_resources(docker_client, base)

    before = ids()
    yield
    leaked = ids() - before
    assert not leaked, f"the test leaked {len(leaked)} parity resource(s)"


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """An empty project with a profiles/ directory."""
    (tmp_path / "profiles").mkdir()
    return tmp_path


def write_profile(project: Path, name: str, text: str) -> Path:
    """Write profiles/NAME.yaml in a test project."""
    path = project / "profiles" / f"{name}.yaml"
    path.write_text(text)
    return path
