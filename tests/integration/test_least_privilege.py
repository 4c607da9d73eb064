"""Least privilege: loopback ports, no privileged containers, private TLS keys that leave with the environment."""

from __future__ import annotations

import stat
from pathlib import Path

from parity.engine import inventory
from parity.engine import labels as L
from parity.engine.cleanup import state_root
from parity.env.environment import Environment
from parity.profile.loader import load_profile
from tests.integration.projects import make_project


def test_tls_keys_are_private_to_postgres_and_never_on_the_host(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path / "p", {"prod": "database: {version: '15', ssl: required}\n"})
    env = Environment(docker_client, load_profile(project / "profiles", "prod"), project)
    with env:
        env.up()
        assert env.database and env.database.container_id
        container = docker_client.containers.get(env.database.container_id)
        code, out = container.exec_run(["stat", "-c", "%a %U", "/var/lib/postgresql/parity-tls/server.key"])
        assert code == 0 and out.decode().split() == ["600", "postgres"]
        code, _ = container.exec_run(["test", "-e", "/run/parity-tls"])
        assert code != 0, "the root-only staging copy of the key must be gone"
        assert stat.S_IMODE(state_root().stat().st_mode) == 0o700
        host_files = [p for p in env.state_dir.rglob("*") if p.is_file()]
        assert host_files and all("PRIVATE KEY" not in p.read_text() for p in host_files)
        assert not container.attrs["HostConfig"]["Privileged"]
        state_dir = env.state_dir
    assert not state_dir.exists()
    assert not inventory.containers(docker_client, L.label_filter({L.ENV_ID: env.env_id}))


def test_the_app_port_is_published_on_loopback_only(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    from parity.project import Project
    from parity.run import UP_STEPS, _prepare

    project = make_project(tmp_path / "p", {"prod": "database: {engine: sqlite}\napp: {build: app}\n"})
    loaded = load_profile(project / "profiles", "prod")
    session, values = _prepare(Project.at(project), {"prod": loaded}, lambda _m: None)
    run = session.run_profile(loaded, values["prod"], keep=True, steps=UP_STEPS)
    contexts = session.contexts
    env = contexts["prod"].env
    try:
        assert run.steps["startup"].status == "ok"
        running = contexts["prod"].app
        assert running is not None
        app = docker_client.containers.get(running.replicas[0].container.id)
        bindings = [b for ports in app.attrs["NetworkSettings"]["Ports"].values() for b in ports or []]
        assert bindings and {b["HostIp"] for b in bindings} == {"127.0.0.1"}
        assert not app.attrs["HostConfig"]["Privileged"]
    finally:
        env.close()
