"""app.replicas: N containers behind a real load balancer; state kept in one replica's memory
diverges at 2 replicas and not at 1, with the replica that answered and cause app.replicas."""

from __future__ import annotations

from pathlib import Path

from parity.engine import inventory
from parity.engine import labels as L
from parity.project import Project
from parity.results import RunResult
from parity.run import RunOptions, run
from tests.integration import projects

PROBE = "startup_probe: {http: /healthz, period: 500ms, failure_threshold: 40}"
SMOKE = ("smoke: {command: [python, -m, pytest, scripts/smoke_sessions.py, -q],"
         " http: [{name: health, path: /healthz}]}\n")
SESSION_TEST = "scripts.smoke_sessions::test_a_session_holds_on_the_next_request"


def app(replicas: str) -> str:
    return f"app: {{build: app, memory: 128m, {PROBE}, {replicas}}}\n" + SMOKE


def run_pair(root: Path, local: str, prod: str) -> RunResult:
    project = Project.at(projects.make_project(root, {"local": local, "prod": prod}))
    return run(project, RunOptions(target="prod")).result


def test_sessions_in_process_memory_diverge_at_two_replicas_and_not_at_one(
    docker_client, tmp_path: Path, no_leaks: None  # type: ignore[no-untyped-def]
) -> None:
    result = run_pair(tmp_path, app("replicas: 1"), app("replicas: 2"))
    local, prod = (result.profiles[name].steps for name in ("local", "prod"))
    # One replica behind the balancer: the session holds.
    assert local["smoke"].status == "ok", local["smoke"]
    assert local["smoke"].facts["requests_by_replica"].keys() == {"app-1"}
    # Two: round robin sends the next request to the other replica, which never saw the login.
    assert local["startup"].status == prod["startup"].status == "ok"
    assert set(prod["startup"].facts["replicas"]) == {"app-1", "app-2"}
    assert prod["smoke"].facts["requests_by_replica"].keys() == {"app-1", "app-2"}
    [divergence] = result.divergences
    assert (divergence.step, divergence.subject, divergence.cause) == ("smoke", SESSION_TEST, "app.replicas")
    answered = prod["smoke"].facts["answered_by"][SESSION_TEST]
    assert answered["status"] == 401 and answered["answered_by"] != answered["previous_by"]
    assert f"GET /me -> 401 from {answered['answered_by']}" in divergence.detail
    # Each replica under the profile's caps, measured on its own.
    replicas = prod["resources"].facts["replicas"]
    assert set(replicas) == {"app-1", "app-2"}
    assert all(r["limit_bytes"] == 128 * 2**20 and r["peak_bytes"] for r in replicas.values())
    assert prod["resources"].facts["lb_peak_bytes"]


def test_sticky_sessions_keep_a_client_on_one_replica(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    result = run_pair(tmp_path, app("replicas: 1"), app("replicas: 2, sticky: true"))
    assert result.verdict == "parity", result.divergences
    assert len(result.profiles["prod"].steps["smoke"].facts["requests_by_replica"]) == 1


def test_the_balancer_and_every_replica_are_labelled_and_app_url_is_the_balancer(
    docker_client, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    profile = f"app: {{build: app, {PROBE}, replicas: 3}}\n"
    project = projects.make_project(tmp_path, {"prod": profile})
    up = projects.parity_cli(["up", "--profile", "prod", "--env"], cwd=project)
    try:
        assert up.returncode == 0, up.stderr
        containers = inventory.containers(docker_client, {"label": f"{L.PROJECT}={project}"})
        roles = sorted((c.labels[L.ROLE], c.labels.get(L.REPLICA, "")) for c in containers)
        assert roles == [("app", "app-1"), ("app", "app-2"), ("app", "app-3"), ("load-balancer", "")]
        balancer = next(c for c in containers if c.labels[L.ROLE] == "load-balancer")
        ports = docker_client.api.inspect_container(balancer.id)["NetworkSettings"]["Ports"]
        [binding] = ports["8000/tcp"]
        assert binding["HostIp"] == "127.0.0.1"
        assert f"APP_URL='http://127.0.0.1:{binding['HostPort']}'" in up.stdout
    finally:
        down = projects.parity_cli(["down", "--profile", "prod"], cwd=project)
    assert down.returncode == 0, down.stderr
    assert not inventory.containers(docker_client, {"label": f"{L.PROJECT}={project}"})


def test_replicas_that_exit_at_start_are_a_startup_failure_with_their_own_evidence(
    docker_client, tmp_path: Path, no_leaks: None  # type: ignore[no-untyped-def]
) -> None:
    def profile(source: str) -> str:
        return (f"app: {{build: app, env: {{SCENARIO: secret-env}}, {PROBE}, replicas: 2}}\n"
                f"secrets: {{source: {source}, values: {{SECRET_KEY: {{value: s3cr3t}}}}}}\n")
    result = run_pair(tmp_path, profile("env"), profile("files"))
    startup = result.profiles["prod"].steps["startup"]
    assert startup.status == "failed", startup  # not an error: the balancer starts without them
    assert startup.facts["replicas"]["app-1"]["exit_code"] == 1 and startup.facts["replicas"]["app-2"]["exit_code"] == 1
    assert "app-1 never ready" in startup.summary and "SECRET_KEY" in startup.detail
    assert [(d.step, d.subject, d.cause) for d in result.divergences] == [("startup", "ready", "secrets.source")]
