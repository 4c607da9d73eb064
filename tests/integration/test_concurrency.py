"""Two runs in one project at once, and `up` beside a run: no collisions, both correct.
Listings that meet containers other runs remove at that very moment do not fail."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest

from parity import commands
from parity.engine import labels as L
from parity.project import Project
from tests.conftest import parity_resources
from tests.integration.projects import Background, make_project, parity_cli

PROFILE = (
    "database: {version: '15', ssl: required, superuser: false}\n"
    "migrations: {command: [python, scripts/migrate.py, sql/001.sql], run_in: host}\n"
    "app: {build: app, startup_probe: {http: /healthz, period: 500ms, failure_threshold: 60}}\n"
    "smoke: {http: [{name: health, path: /healthz}]}\n"
)
SQL = {"001.sql": "CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL);\n"}


def test_two_runs_and_an_up_in_the_same_project_do_not_collide(docker_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path / "p", {"local": PROFILE, "prod": PROFILE}, SQL)
    up = parity_cli(["up", "--profile", "prod"], cwd=project)
    assert up.returncode == 0, up.stderr
    kept = parity_resources(docker_client, project)
    try:
        runs = [Background(["run", "--profile", "prod", "--json", f"r{i}.json"], cwd=project) for i in (1, 2)]
        results = [run.finish(timeout=600) for run in runs]
        for code, _out, err in results:
            assert code == 0, err
        for i in (1, 2):
            report = json.loads((project / f"r{i}.json").read_text())
            assert report["verdict"] == "parity" and report["divergences"] == []
            assert report["profiles"]["prod"]["steps"]["migrations"]["status"] == "ok"
        # The kept environment survived both runs (neither took it for an orphan).
        assert kept <= parity_resources(docker_client, project)
    finally:
        down = parity_cli(["down", "--profile", "prod"], cwd=project)
    assert down.returncode == 0
    assert not parity_resources(docker_client, project)


def _lose_right_after_listing(client: docker.DockerClient, monkeypatch: pytest.MonkeyPatch, victim: str) -> list[str]:
    """Stage the race deterministically: the moment the engine has listed `victim`, it is really
    removed, as another run's cleanup would between a listing and a per-container inspect."""
    listing = client.api.containers
    lost: list[str] = []

    def list_then_lose(*args: Any, **kwargs: Any) -> Any:
        listed = listing(*args, **kwargs)
        if not lost and any(c["Id"] == victim for c in listed):
            client.api.remove_container(victim, force=True, v=True)
            lost.append(victim)
        return listed

    monkeypatch.setattr(client.api, "containers", list_then_lose)
    return lost


LISTINGS: dict[str, Callable[[docker.DockerClient, Project], object]] = {
    "leak check (tests/conftest.py)": lambda client, project: parity_resources(client, project.root),
    "parity doctor": lambda _client, project: commands.doctor(project),
    "parity down --all": lambda _client, project: commands.down(project, None),
}


@pytest.mark.parametrize("listing", LISTINGS)
def test_a_container_removed_by_another_run_while_listing_is_no_error(
    docker_client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listing: str  # type: ignore[no-untyped-def]
) -> None:
    project = Project.at(make_project(tmp_path / "p", {}))
    labels = L.resource_labels(f"race-{uuid.uuid4().hex[:8]}", "p", str(project.root), "up")
    victim = docker_client.containers.create("python:3.11-slim", command=["true"], labels=labels)
    monkeypatch.setattr("parity.engine.client.docker_client", lambda: docker_client)
    lost = _lose_right_after_listing(docker_client, monkeypatch, victim.id)
    try:
        LISTINGS[listing](docker_client, project)
    finally:
        with contextlib.suppress(docker.errors.NotFound):
            victim.remove(force=True, v=True)
    assert lost == [victim.id], "the race was not staged: the listing never saw the container"
