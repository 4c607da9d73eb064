"""Interrupting `parity run` (SIGINT, SIGTERM) at each phase leaves nothing behind; SIGKILL's orphans are reaped."""

from __future__ import annotations

import secrets
import signal
import time
from pathlib import Path

import pytest

from parity.engine.cleanup import state_root
from tests.conftest import parity_resources
from tests.integration.projects import (
    SIGNALS,
    Background,
    make_project,
    parity_cli,
    processes_tagged,
    state_dirs_of,
)

DB = "database: {version: '15', ssl: required, superuser: false}\n"


def phase_profile(phase: str, tag: str) -> str:
    """A profile that spends a long time in the given phase, so a signal lands there."""
    if phase == "explain":  # the target diverges at once; the experiment flipping database.ssl hangs
        return (f"database: {{version: '15', ssl: required, env: {{EXPECT_FAIL: '1'}}}}\n"
                f"smoke: {{command: [python, scripts/tls_only_sleeps.py, {tag}], timeout: 10m}}\n")
    if phase == "image-build":
        return DB + "app: {build: app}\n"
    # A slow smoke step after the database phases keeps the run alive even if the signal lands
    # just after the database is up: the run is interrupted either way, never finished.
    slow_smoke = f"smoke: {{command: [python, scripts/sleep.py, {tag}], timeout: 10m}}\n"
    if phase == "database-start":
        return DB + slow_smoke
    if phase == "pooler-start":  # the pooler starting in front of a running server
        return DB.replace("superuser: false", "superuser: false, pooler: {mode: transaction}") + slow_smoke
    if phase == "database-template":
        # A database name never used before: its pre-initialised cluster must be made now.
        return f"database: {{version: '15', name: db_{tag.replace('-', '_')}}}\n" + slow_smoke
    if phase == "migrations":
        return DB + f"migrations: {{command: [python, scripts/sleep.py, {tag}], run_in: host, timeout: 10m}}\n"
    if phase == "data":  # a seed command filling the database
        return DB + f"data: {{seed: [python, scripts/sleep.py, {tag}]}}\n" + slow_smoke
    if phase == "traffic":  # traffic (statements in flight in the server) and the lock monitor while migrations run
        return (DB + f"migrations: {{command: [python, scripts/sleep.py, {tag}], run_in: host, timeout: 10m}}\n"
                "traffic: {rate: 20/s, sql: ['SELECT pg_sleep(0.5)']}\n")
    if phase == "probe":
        return DB + ("app: {build: app, command: [python, -c, 'import time; time.sleep(600)'], "
                     "startup_probe: {http: /healthz, period: 1s, failure_threshold: 300}}\n")
    if phase == "smoke":
        return DB + f"smoke: {{command: [python, scripts/sleep.py, {tag}], timeout: 10m}}\n"
    if phase == "replicas":  # replicas and their load balancer up, the smoke suite running
        return ("app: {build: app, replicas: 2, startup_probe: {http: /healthz, period: 500ms, failure_threshold: 40}}\n"
                + slow_smoke)
    if phase == "rollout":  # the first old replica ignores SIGTERM and has a long grace period
        return ("app: {build: app, env: {ON_SIGTERM: ignore}, replicas: 2, rollout: true, startup_probe: "
                "{http: /healthz, period: 500ms, failure_threshold: 40}, shutdown: {termination_grace_period: 10m}}\n")
    if phase == "shutdown":  # an app that ignores SIGTERM, and a long grace period to wait out
        return ("app: {build: app, env: {ON_SIGTERM: ignore}, startup_probe: {http: /healthz, period: 500ms, "
                "failure_threshold: 40}, shutdown: {termination_grace_period: 10m, request: {path: '/slow?s=600'}}}\n")
    raise ValueError(phase)


MARKERS = {
    "image-build": "building the app image",
    "database-template": "pre-initialising",
    "database-start": "starting postgres",
    "pooler-start": "starting the pooler",
    "migrations": "migrations: running",
    "data": "data: seeding",
    "traffic": "traffic: 20/s",
    "probe": "probing",
    "smoke": "smoke: running",
    "replicas": "smoke: running",
    "rollout": "stopping app-1",
    "shutdown": "stopping app",
    "explain": "prod-x1 smoke: running",
}


def _slow_build(project: Path, nonce: str) -> None:
    # A unique, slow layer: the build is still running when the signal arrives.
    dockerfile = project / "app" / "Dockerfile"
    text = dockerfile.read_text().replace("COPY server.py", f"RUN echo {nonce} && sleep 60\nCOPY server.py")
    dockerfile.write_text(text)


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("phase", list(MARKERS))
def test_an_interrupted_run_leaves_nothing_behind(
    docker_client, tmp_path: Path, phase: str, signame: str  # type: ignore[no-untyped-def]
) -> None:
    tag = f"parity-test-{secrets.token_hex(4)}"
    profile = phase_profile(phase, tag)
    local = DB.replace("ssl: required", "ssl: 'off'") + f"smoke: {{command: [python, scripts/tls_only_sleeps.py, {tag}]}}\n"
    project = make_project(tmp_path / "project", {"local": local if phase == "explain" else profile, "prod": profile})
    if phase == "image-build":
        _slow_build(project, tag)
    run = Background(["run", "--profile", "prod"] + (["--explain"] if phase == "explain" else []), cwd=project)
    try:
        run.wait_for(MARKERS[phase])
        time.sleep(0.2 if phase.startswith(("database", "pooler")) else 1.5)
        run.signal(SIGNALS[signame])
        code, _out, err = run.finish()
    finally:
        run.kill()
    assert code == 130, err
    assert "Traceback" not in err
    assert not parity_resources(docker_client, project), "containers, networks or volumes were left behind"
    assert not state_dirs_of(run.pid), "host-side files (CA, secrets) were left behind"
    assert not processes_tagged(tag), "a host command (migrations/smoke) kept running"
    if phase == "image-build":
        # The low-level list: no per-container inspect to trip over other runs' removals.
        leftovers = [c for c in docker_client.api.containers(all=True) if tag in (c.get("Command") or "")]
        assert not leftovers, "the interrupted build left its intermediate container"
    if state_root().is_dir():
        for path in state_root().rglob("*"):
            if path.is_file():
                assert "PRIVATE KEY" not in path.read_text(errors="replace")


def _slow_smoke_project(root: Path, tag: str) -> Path:
    profile = DB + f"smoke: {{command: [python, scripts/sleep.py, {tag}], timeout: 10m}}\n"
    return make_project(root, {"local": profile, "prod": profile})


def test_orphans_of_a_killed_run_are_reaped_and_nothing_else(docker_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tag = f"parity-test-{secrets.token_hex(4)}"
    killed_project = _slow_smoke_project(tmp_path / "killed", tag)
    killed_again_project = _slow_smoke_project(tmp_path / "killed-again", tag)
    live_project = _slow_smoke_project(tmp_path / "live", tag + "-live")
    up_project = make_project(tmp_path / "up", {"dev": DB})
    bystander = docker_client.containers.run(
        "python:3.11-slim", ["sleep", "300"], detach=True, labels={"io.parity.test": "bystander"})
    live = None
    try:
        # A run that stays alive throughout: no reaping may touch it.
        live = Background(["run", "--profile", "prod"], cwd=live_project)
        live.wait_for("smoke: running")
        live_before = parity_resources(docker_client, live_project)
        assert live_before

        # 1. SIGKILL: parity cannot clean up; its resources stay, its host commands die with it.
        first = Background(["run", "--profile", "prod"], cwd=killed_project)
        first.wait_for("smoke: running")
        first.signal(signal.SIGKILL)
        first.finish()
        assert parity_resources(docker_client, killed_project), "expected orphans after SIGKILL"
        assert not processes_tagged(tag + " "), "the smoke command outlived parity"

        # 2. The next parity command (here `up` in another project) reaps them, and only them.
        up = parity_cli(["up", "--profile", "dev"], cwd=up_project)
        assert up.returncode == 0, up.stderr
        assert "removed leftovers of dead runs" in up.stderr
        assert not parity_resources(docker_client, killed_project)
        assert not state_dirs_of(first.pid)
        assert parity_resources(docker_client, live_project) == live_before, "a live run's resources were removed"

        # 3. Another killed run: `parity down --all` (in another directory) removes it, but not the
        #    live run's resources, not another project's kept environment, not a non-parity container.
        second = Background(["run", "--profile", "prod"], cwd=killed_again_project)
        second.wait_for("smoke: running")
        second.signal(signal.SIGKILL)
        second.finish()
        assert parity_resources(docker_client, killed_again_project)
        down = parity_cli(["down", "--all"], cwd=tmp_path)
        assert down.returncode == 0, down.stderr
        assert not parity_resources(docker_client, killed_again_project)
        assert not state_dirs_of(second.pid)
        assert parity_resources(docker_client, up_project), "another project's kept environment was removed"
        assert parity_resources(docker_client, live_project) == live_before, "a live run's resources were removed"
        bystander.reload()
        assert bystander.status == "running", "a container that is not parity's was touched"
    finally:
        if live is not None:
            live.signal(signal.SIGINT)
            live.finish()
        parity_cli(["down", "--profile", "dev"], cwd=up_project)
        bystander.remove(force=True)
    assert not parity_resources(docker_client, tmp_path)
