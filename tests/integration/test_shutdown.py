"""app.shutdown: the app stopped like a pod (stop signal, grace period, SIGKILL) with a request in
flight; what production's clients would see is a divergence with cause app.shutdown."""

from __future__ import annotations

from pathlib import Path

from parity.project import Project
from parity.results import RunResult
from parity.run import RunOptions, run
from tests.integration import projects

PROBE = "startup_probe: {http: /healthz, period: 500ms, failure_threshold: 40}"


def profiles(on_sigterm: str, shutdown: str) -> dict[str, str]:
    """The baseline stops the app the laptop way (it does not); the target as production does."""
    app = f"app: {{build: app, env: {{ON_SIGTERM: {on_sigterm}}}, {PROBE}"
    return {"local": app + "}\n", "prod": app + f", shutdown: {shutdown}}}\n"}


def run_pair(root: Path, on_sigterm: str, shutdown: str) -> RunResult:
    project = Project.at(projects.make_project(root, profiles(on_sigterm, shutdown)))
    return run(project, RunOptions(target="prod")).result


def test_an_app_that_ignores_sigterm_is_sigkilled_at_the_end_of_its_grace_period(
    docker_client, tmp_path: Path, no_leaks: None  # type: ignore[no-untyped-def]
) -> None:
    result = run_pair(tmp_path, "ignore", "{termination_grace_period: 2s, request: {path: '/slow?s=0.5'}}")
    step = result.profiles["prod"].steps["shutdown"]
    assert step.status == "failed", step
    assert step.facts["sigkilled"] is True and step.facts["signal"] == "SIGTERM"
    assert 2.0 <= step.facts["exited_after_s"] < 5.0, step.facts
    assert step.facts["exit_codes"] == {"app": 137}
    assert step.facts["in_flight_failed"] == 0  # the request was short enough: only the grace period was crossed
    assert result.profiles["local"].steps["shutdown"].status == "skipped"
    assert [(d.step, d.subject, d.cause) for d in result.divergences] == [("shutdown", "grace period", "app.shutdown")]
    assert "SIGKILL" in result.divergences[0].target


def test_an_app_that_exits_at_once_on_sigterm_is_reported_with_the_request_it_dropped(
    docker_client, tmp_path: Path, no_leaks: None  # type: ignore[no-untyped-def]
) -> None:
    result = run_pair(tmp_path, "exit", "{termination_grace_period: 10s, request: {path: '/slow?s=5'}}")
    step = result.profiles["prod"].steps["shutdown"]
    assert step.status == "failed", step
    assert step.facts["sigkilled"] is False and step.facts["exited_after_s"] < 2.0
    [dropped] = step.facts["in_flight"]
    assert dropped["request"] == "GET /slow?s=5" and dropped["ok"] is False
    assert dropped["outcome"] == "reset", dropped  # the app closed the connection without answering
    assert step.facts["in_flight_failed"] == 1
    assert "dropped" in step.summary and "GET /slow?s=5" in step.summary
    assert [(d.step, d.subject, d.cause) for d in result.divergences] == [
        ("shutdown", "in-flight requests", "app.shutdown")]


def test_an_app_that_drains_its_requests_before_exiting_is_parity(
    docker_client, tmp_path: Path, no_leaks: None  # type: ignore[no-untyped-def]
) -> None:
    result = run_pair(tmp_path, "drain", "{termination_grace_period: 10s, request: {path: '/slow?s=1.5'}}")
    step = result.profiles["prod"].steps["shutdown"]
    assert step.status == "ok", step
    assert step.facts["sigkilled"] is False and step.facts["exit_codes"] == {"app": 0}
    [completed] = step.facts["in_flight"]
    assert completed["ok"] is True and completed["status"] == 200 and completed["duration_s"] >= 1.0
    assert result.verdict == "parity" and result.divergences == [] and result.failures == []
