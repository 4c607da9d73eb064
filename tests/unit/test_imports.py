"""The CLI imports only what the command in hand needs: light commands never load the heavy libraries.

Each command runs in a fresh interpreter, as a user runs it; when it exits, the interpreter
lists the modules it loaded. The Docker engine is pointed at a socket that does not exist, so
these tests need none (commands that reach for the engine fail with exit 3 after their imports).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_profile

# Loaded only by the commands that use them: migrations and the schema (SQLAlchemy, Alembic),
# TLS certificates (cryptography). Anything a light command imports at the top level shows here.
HEAVY = ("sqlalchemy", "alembic", "cryptography")

DRIVER = """
import atexit, json, sys
atexit.register(lambda: print("\\nLOADED " + json.dumps(sorted(sys.modules)), file=sys.__stdout__, flush=True))
sys.argv = ["parity", *json.loads(sys.argv[1])]
from parity.cli import main
main()
"""


NO_ENGINE = {"PATH": "/usr/bin:/bin", "DOCKER_HOST": "unix:///nonexistent/docker.sock"}


def loaded_by(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """Run `parity ARGS` in a fresh interpreter; return the top-level packages it had loaded at exit."""
    env = {"HOME": str(cwd), **(NO_ENGINE if env is None else env)}
    result = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(args)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    line = next((line for line in result.stdout.splitlines() if line.startswith("LOADED ")), None)
    assert line is not None, f"no module list (exit {result.returncode}): {result.stderr[-2000:]}"
    return {name.split(".")[0] for name in json.loads(line.removeprefix("LOADED "))}, result


def heavy_in(loaded: set[str], heavy: tuple[str, ...]) -> list[str]:
    """The heavy packages among the loaded ones."""
    return [name for name in heavy if name in loaded]


def test_help_loads_click_and_nothing_heavy(project_dir: Path) -> None:
    loaded, result = loaded_by(["--help"], project_dir)
    assert result.returncode == 0 and "Usage:" in result.stdout
    # --help is click alone: not even the profile model, the Docker SDK or the terminal renderer.
    assert heavy_in(loaded, (*HEAVY, "docker", "psycopg", "pydantic", "yaml", "rich", "requests")) == []


@pytest.mark.parametrize("args", [["run", "--help"], ["up", "--help"], ["profiles", "--help"], ["--version"]])
def test_subcommand_help_loads_nothing_heavy(project_dir: Path, args: list[str]) -> None:
    loaded, result = loaded_by(args, project_dir)
    assert result.returncode == 0, result.stderr
    assert heavy_in(loaded, (*HEAVY, "docker", "psycopg", "pydantic", "rich")) == []


def test_profiles_validate_loads_no_database_docker_or_tls_library(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "database: {version: '15', ssl: required}\nmigrations: {command: [alembic, upgrade, head]}\n")
    loaded, result = loaded_by(["profiles", "validate"], project_dir)
    assert result.returncode == 0, result.stderr
    assert "pydantic" in loaded  # it did validate
    assert heavy_in(loaded, (*HEAVY, "docker", "psycopg")) == []


def test_down_loads_no_database_or_tls_library(project_dir: Path) -> None:
    loaded, result = loaded_by(["down", "--all"], project_dir)
    assert result.returncode == 3 and "no Docker engine answers" in result.stderr  # it did try the engine
    assert heavy_in(loaded, (*HEAVY, "psycopg")) == []


def test_up_of_a_plain_database_loads_no_migration_or_tls_library(project_dir: Path) -> None:
    # Without an engine this checks the imports made before the first API call; the integration
    # test `test_up_of_a_plain_database_imports_no_migration_or_tls_library` checks the whole way.
    write_profile(project_dir, "plain", "database: {version: '15'}\n")
    loaded, result = loaded_by(["up", "--profile", "plain"], project_dir)
    assert result.returncode == 3 and "no Docker engine answers" in result.stderr
    assert heavy_in(loaded, HEAVY) == []


def test_the_run_module_leaves_the_database_driver_to_the_background_warm_up() -> None:
    # `up`, `run` and `explain` import parity.run before the engine gets any work; psycopg (~0.2 s)
    # is warmed in a thread while the database container is created, not imported on the way.
    code = "import sys, parity.run; print('psycopg' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr[-2000:]


def test_the_run_module_leaves_the_steps_and_the_diff_to_first_use() -> None:
    # `up` creates the database container right after importing parity.run: the steps it runs
    # later, the diff and the app's modules are loaded when used (or by the background warm-up).
    later = ["parity.diff", "parity.steps.migrations", "parity.steps.smoke", "parity.steps.data", "parity.env.app",
             "parity.env.running_app"]
    code = f"import sys, parity.run; print([m for m in {later!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr[-2000:]
