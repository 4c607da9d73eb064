"""Two runs in one project at once, and `up` beside a run: no collisions, both correct."""

from __future__ import annotations

import json
from pathlib import Path

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
