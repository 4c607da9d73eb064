"""Nothing hangs: a stuck migration, a smoke suite that never ends and an app that exits at once are results."""

from __future__ import annotations

from pathlib import Path

from parity.project import Project
from parity.run import RunOptions, run
from tests.integration.projects import make_project

DB = "database: {version: '15'}\n"


def test_a_migration_waiting_on_a_lock_becomes_a_failed_step(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    profile = DB + "migrations: {command: [python, scripts/lock_wait.py], run_in: host, timeout: 3s}\n"
    project = make_project(tmp_path / "p", {"local": profile, "prod": profile})
    result = run(Project.at(project), RunOptions(target="prod")).result
    for name in ("local", "prod"):
        step = result.profiles[name].steps["migrations"]
        assert step.status == "failed" and "timed out after 3s" in step.summary
        assert "lock held by another session" in step.detail  # what was seen before it stuck
    assert [f.step for f in result.failures] == ["migrations"] and result.exit_code == 1


def test_a_smoke_suite_that_never_ends_is_stopped_at_its_timeout(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    local = DB + "smoke: {command: [python, -c, 'print(1)'], timeout: 30s}\n"
    prod = DB + "smoke: {command: [python, scripts/sleep.py, never-ends], timeout: 2s}\n"
    project = make_project(tmp_path / "p", {"local": local, "prod": prod})
    result = run(Project.at(project), RunOptions(target="prod")).result
    smoke = result.profiles["prod"].steps["smoke"]
    assert smoke.status == "failed" and "timed out after 2s" in smoke.summary
    assert [(d.step, d.cause) for d in result.divergences] == [("smoke", "smoke.timeout")]


def test_an_app_that_exits_at_once_is_a_result_not_a_crash(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    profile = DB + "app: {build: app, command: [python, -c, 'import sys; print(\"boom\"); sys.exit(4)']}\n"
    project = make_project(tmp_path / "p", {"local": profile, "prod": profile})
    result = run(Project.at(project), RunOptions(target="prod")).result
    startup = result.profiles["prod"].steps["startup"]
    assert startup.status == "failed" and startup.facts["exit_code"] == 4
    assert "boom" in startup.detail
    assert result.profiles["prod"].steps["smoke"].status == "skipped"
    assert [f.step for f in result.failures] == ["startup"] and result.exit_code == 1
