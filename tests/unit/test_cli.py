"""The command line without Docker: profile commands, exit codes, and messages instead of tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import write_profile


def parity(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "parity", *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
    )


def test_validate_reports_a_typo_with_file_line_and_key_and_exits_2(project_dir: Path) -> None:
    write_profile(project_dir, "local", "database: {engine: sqlite}\n")
    write_profile(project_dir, "prod", "database:\n  version: 15\n  max_conections: 10\n")
    result = parity("profiles", "validate", cwd=project_dir)
    assert result.returncode == 2
    assert "profiles/prod.yaml:3:3" in result.stderr
    assert "max_conections" in result.stderr and "max_connections" in result.stderr
    assert "Traceback" not in result.stderr
    assert "ok      local" in result.stdout


def test_validate_passes_on_good_profiles(project_dir: Path) -> None:
    write_profile(project_dir, "local", "database: {engine: sqlite}\n")
    result = parity("profiles", "validate", cwd=project_dir)
    assert result.returncode == 0, result.stderr


def test_show_prints_the_resolved_profile(project_dir: Path) -> None:
    write_profile(project_dir, "base", "database: {version: 15, memory: 1g}\n")
    write_profile(project_dir, "prod", "extends: base\ndatabase: {ssl: required}\n")
    result = parity("profiles", "show", "prod", "--json", cwd=project_dir)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["database"]["version"] == "15" and shown["database"]["ssl"] == "required"
    assert shown["database"]["memory"] == 2**30


def test_list_shows_names_and_descriptions(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "description: Production (managed PG 15)\n")
    write_profile(project_dir, "broken", "nope: 1\n")
    result = parity("profiles", "list", cwd=project_dir)
    assert result.returncode == 0
    assert "Production (managed PG 15)" in result.stdout and "broken" in result.stdout


def test_unknown_profile_is_exit_2_with_the_known_ones_listed(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "{}\n")
    result = parity("profiles", "show", "staging", cwd=project_dir)
    assert result.returncode == 2 and "no profile 'staging'" in result.stderr and "prod" in result.stderr
    assert "Traceback" not in result.stderr


def test_schema_is_json(project_dir: Path) -> None:
    result = parity("profiles", "schema", cwd=project_dir)
    schema = json.loads(result.stdout)
    assert "database" in schema["properties"] and schema["additionalProperties"] is False


def test_no_docker_engine_is_exit_3_with_the_fix(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "database: {version: 15}\n")
    env = {"PATH": "/usr/bin:/bin", "DOCKER_HOST": "unix:///nonexistent/docker.sock", "HOME": str(project_dir)}
    result = parity("up", "--profile", "prod", cwd=project_dir, env=env)
    assert result.returncode == 3, result.stderr
    assert "no Docker engine answers" in result.stderr and "fix:" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_usage_is_exit_2(project_dir: Path) -> None:
    result = parity("down", cwd=project_dir)
    assert result.returncode == 2 and "--profile NAME or --all" in result.stderr


def test_progress_shows_other_tools_output_verbatim() -> None:
    from parity.console import err, progress

    line = 'hook: echo "postgres:x:999:" >> "$1/etc/group"; Get:1 sid InRelease [193 kB] [bold]'
    with err.capture() as captured:
        progress(line)
    assert line in captured.get()


WRITTEN = """\
description: Production — managed Postgres 15, SSL forced, 256 MiB pods, secrets as files, behind a balancer that does not retry
database: {version: '15', memory: 1g, env: {PGAPPNAME: "café — billing"}}
app:
  image: python:3.11-slim
  memory: 256m
  startup_probe: {http: /healthz, period: 500ms, failure_threshold: 30}
  shutdown: {termination_grace_period: 45s}
migrations: {command: [python, manage.py, migrate, --noinput], run_in: host, timeout: 10m, lock_budget: 1500ms}
traffic: {rate: 20/s, sql: ["SELECT id, title, body FROM notes WHERE author_id = 1 ORDER BY created_at DESC LIMIT 20"]}
"""


def test_show_prints_yaml_as_written_and_it_loads_back_to_the_same_profile(project_dir: Path) -> None:
    from click.testing import CliRunner

    from parity.cli import cli
    from parity.project import Project

    write_profile(project_dir, "base", "host: {venv: .venv}\n")
    write_profile(project_dir, "prod", "extends: base\n" + WRITTEN)
    result = CliRunner().invoke(cli, ["profiles", "show", "prod", "--project", str(project_dir)])
    assert result.exit_code == 0, result.output
    shown = result.output
    assert "\\u" not in shown and "Production — managed" in shown and "café — billing" in shown
    # The user's units, and every value on its line however long.
    lines = [line.strip() for line in shown.splitlines()]
    for line in ("memory: 1g", "memory: 256m", "timeout: 10m", "lock_budget: 1500ms", "period: 500ms",
                 "termination_grace_period: 45s", "rate: 20/s", "command: [python, manage.py, migrate, --noinput]",
                 "sql: ['SELECT id, title, body FROM notes WHERE author_id = 1 ORDER BY created_at DESC LIMIT 20']"):
        assert line in lines, line
    assert "description: Production — managed Postgres 15, SSL forced, 256 MiB pods, secrets as files, behind a " \
           "balancer that does not retry" in shown.splitlines()
    # Written as a profile of its own (extends already applied), it is the same profile.
    back = project_dir / "again"
    (back / "profiles").mkdir(parents=True)
    write_profile(back, "prod", shown)
    original = Project.at(str(project_dir), None).profile("prod").profile
    again = Project.at(str(back), None).profile("prod").profile
    assert again.model_dump(exclude={"extends"}) == original.model_dump(exclude={"extends"})
    assert again.host is not None and again.host.venv == ".venv"


def test_list_prints_each_description_on_one_line(project_dir: Path) -> None:
    from click.testing import CliRunner

    from parity.cli import cli

    description = "Production — managed Postgres 15, SSL forced, 256 MiB pods, secrets as files, two replicas"
    write_profile(project_dir, "prod", f"description: {description}\n")
    result = CliRunner().invoke(cli, ["profiles", "list", "--project", str(project_dir)], terminal_width=60)
    assert result.exit_code == 0, result.output
    assert f"{'prod':<16} {description}" in result.output.splitlines()
