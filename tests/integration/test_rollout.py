"""app.rollout: replicas replaced one at a time while requests loop through the load balancer, as a
Deployment's rolling update; the requests that failed meanwhile, and what did not survive."""

from __future__ import annotations

from pathlib import Path

from parity.project import Project
from parity.results import RunResult
from parity.run import RunOptions, run
from tests.integration import projects

PROBE = "startup_probe: {http: /healthz, period: 500ms, failure_threshold: 40}"
# A slow check in the loop: there is always a request in flight on each replica.
SMOKE = "smoke: {http: [{name: slow, path: '/slow?s=0.7'}]}\n"


def profiles(env: str) -> dict[str, str]:
    app = f"app: {{build: app, env: {{{env}}}, {PROBE}, replicas: 2"
    return {"local": app + "}\n" + SMOKE, "prod": app + ", rollout: true}\n" + SMOKE}


def run_pair(root: Path, env: str) -> RunResult:
    project = Project.at(projects.make_project(root, profiles(env)))
    return run(project, RunOptions(target="prod")).result


def test_replicas_that_exit_at_once_fail_the_requests_they_had_during_a_rollout(
    docker_client, tmp_path: Path, no_leaks: None  # type: ignore[no-untyped-def]
) -> None:
    result = run_pair(tmp_path, "ON_SIGTERM: exit")
    step = result.profiles["prod"].steps["rollout"]
    assert step.status == "failed", step
    assert [(r["old"], r["new"]) for r in step.facts["replaced"]] == [("app-1", "app-3"), ("app-2", "app-4")]
    assert step.facts["rollout_failed_requests"] >= 1
    # The balancer says which replica was cut off mid-answer.
    assert any("from app-1" in line or "from app-2" in line for line in step.facts["failed_at_balancer"]), step.facts
    assert result.profiles["local"].steps["rollout"].status == "skipped"
    assert [(d.step, d.subject, d.cause) for d in result.divergences] == [
        ("rollout", "requests during the rollout", "app.rollout")]


def test_replicas_that_drain_roll_out_without_a_failed_request_and_their_own_files_are_reported(
    docker_client, tmp_path: Path, no_leaks: None  # type: ignore[no-untyped-def]
) -> None:
    result = run_pair(tmp_path, "ON_SIGTERM: drain, SCENARIO: write-cache")
    step = result.profiles["prod"].steps["rollout"]
    assert step.status == "ok", step
    assert step.facts["requests_during"] > 0 and step.facts["rollout_failed_requests"] == 0
    assert all(r["old_exit_code"] == 0 and not r["old_sigkilled"] for r in step.facts["replaced"])
    # What each old replica wrote to its own filesystem went with it.
    assert step.facts["own_disk_files"] == {"app-1": ["/app/cache.bin"], "app-2": ["/app/cache.bin"]}
    assert result.verdict == "parity", result.divergences
    # The new replicas serve what comes after: resources were read before, shutdown stops these.
    assert result.profiles["prod"].steps["shutdown"].status == "skipped"
