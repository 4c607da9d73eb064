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
