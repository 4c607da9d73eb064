"""The pytest plugin and parity.environment, as a user runs them: a project holding only profiles and
a test file, `pytest --parity-profile prod` in a process of its own, and nothing left afterwards."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

import parity
from parity.errors import ProfileError, StepFailed
from tests.conftest import parity_resources, write_profile

PROD = "database: {version: '13', ssl: required, superuser: false}\nsecrets: {values: {API_TOKEN: {value: %s}}}\n"
CANARY = "canary-7f3a9c-token"

# What the session's test checks: the profile's major, TLS in use, a role that is not a superuser;
# the variables exported for a suite that reads DATABASE_URL itself; and the secret's value.
TEST_FILE = f'''
import os
import psycopg

def test_database(parity_env, parity_database_url):
    assert os.environ["DATABASE_URL"] == parity_database_url == parity_env.database_url
    assert os.environ["API_TOKEN"] == "{CANARY}"
    with psycopg.connect(parity_database_url, sslmode="verify-ca",
                         sslrootcert=os.environ["PGSSLROOTCERT"]) as conn:
        major = conn.execute("SHOW server_version_num").fetchone()[0][:2]
        ssl = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()[0]
        superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
    print("FACTS", major, ssl, superuser)
    assert (major, ssl, superuser) == ("13", True, False)
'''


def pytest_run(project: Path, *args: str, env: dict[str, str] | None = None,
               timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """`python -m pytest ARGS` in the project, in a process of its own (the plugin loads from its
    entry point, as in a user's venv)."""
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=project,
                          capture_output=True, text=True, timeout=timeout, env=env or dict(os.environ))


@pytest.fixture
def plugin_project(project_dir: Path) -> Path:
    write_profile(project_dir, "prod", PROD % CANARY)
    (project_dir / "test_db.py").write_text(TEST_FILE)
    return project_dir


def test_a_session_gets_the_profiles_database_and_leaves_nothing(docker_client, plugin_project: Path) -> None:  # type: ignore[no-untyped-def]
    done = pytest_run(plugin_project, "--parity-profile", "prod", "-q", "-s")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FACTS 13 True False" in done.stdout
    assert CANARY not in done.stdout.replace(f'"{CANARY}"', "") + done.stderr  # the value only as the test file wrote it
    assert parity_resources(docker_client, plugin_project) == set()


def test_a_failing_test_under_x_leaves_nothing(docker_client, plugin_project: Path) -> None:  # type: ignore[no-untyped-def]
    (plugin_project / "test_db.py").write_text("def test_fails(parity_database_url):\n    assert False\n"
                                               "def test_never_runs():\n    pass\n")
    done = pytest_run(plugin_project, "--parity-profile", "prod", "-x", "-q")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed" in done.stdout and "passed" not in done.stdout
    assert parity_resources(docker_client, plugin_project) == set()


def test_ctrl_c_in_a_test_leaves_nothing(docker_client, plugin_project: Path) -> None:  # type: ignore[no-untyped-def]
    marker = plugin_project / "started"
    (plugin_project / "test_db.py").write_text(
        f"import pathlib, time\ndef test_waits(parity_database_url):\n"
        f"    pathlib.Path({str(marker)!r}).write_text('x')\n    time.sleep(120)\n")
    # Ctrl-C at a terminal: SIGINT at its default in the child even when this suite runs in the
    # background of a non-interactive shell (which ignores SIGINT, and Python then keeps ignoring it).
    process = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--parity-profile", "prod",
                                "-q"], cwd=plugin_project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 180
    while not marker.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    assert marker.exists(), process.communicate()[0]
    assert parity_resources(docker_client, plugin_project), "the environment should be up during the test"
    process.send_signal(signal.SIGINT)
    output = process.communicate(timeout=120)[0]
    assert "KeyboardInterrupt" in output
    assert parity_resources(docker_client, plugin_project) == set()


def test_an_unknown_profile_is_a_usage_error(plugin_project: Path) -> None:
    done = pytest_run(plugin_project, "--parity-profile", "prd", "-q")
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--parity-profile prd" in done.stderr and "fix:" in done.stderr


def test_no_engine_is_a_usage_error(plugin_project: Path, tmp_path: Path) -> None:
    env = dict(os.environ, DOCKER_HOST=f"unix://{tmp_path}/no-engine.sock")
    done = pytest_run(plugin_project, "--parity-profile", "prod", "-q", env=env)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "no Docker engine answers" in done.stderr and "fix:" in done.stderr


def test_environment_from_python_is_removed_after_the_block(docker_client, plugin_project: Path) -> None:  # type: ignore[no-untyped-def]
    with parity.environment("prod", project=plugin_project) as env:
        assert env.database_url is not None
        assert CANARY not in repr(env) and "password" not in repr(env)
        with psycopg.connect(env.database_url, sslmode="verify-ca", sslrootcert=env.env["PGSSLROOTCERT"]) as conn:
            assert conn.execute("SELECT current_setting('server_version_num')").fetchone()[0].startswith("13")
        assert parity_resources(docker_client, plugin_project)
    assert parity_resources(docker_client, plugin_project) == set()


def test_environment_raises_on_a_failed_step_and_removes_it(docker_client, project_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_profile(project_dir, "prod", "database: {version: '15'}\nmigrations: {command: [sh, -c, 'exit 4'],"
                                       " run_in: host}\n")
    with pytest.raises(StepFailed, match="migrations failed"), parity.environment("prod", project=project_dir):
        pytest.fail("the block must not run")
    assert parity_resources(docker_client, project_dir) == set()
    with pytest.raises(ProfileError), parity.environment("nope", project=project_dir):
        pass


SAUTILS = Path(__file__).parent / "realapps" / "sautils"
# The parts of SQLAlchemy-Utils' suite that run on Postgres (aggregates, relationships, observers,
# generic relationships, views), not its MySQL cases (no MySQL here); `-c` names its own
# configuration file, or pytest would take ours, a directory above.
SAUTILS_TESTS = ["-c", "pyproject.toml", "tests/aggregate", "tests/relationships", "tests/observes", "tests/generic_relationship",
                 "tests/test_views.py", "-k", "not mysql"]


def test_a_third_party_suite_runs_unchanged_through_the_plugin(docker_client) -> None:  # type: ignore[no-untyped-def]
    src = SAUTILS / "src"
    assert (src / ".done").exists(), "run `make realapps` (SQLAlchemy-Utils' sdist is unpacked into src/)"
    # Without the plugin its Postgres tests reach for localhost:5432 as `postgres`, and fail.
    alone = pytest_run(src, *SAUTILS_TESTS, "-x", "-q")
    assert alone.returncode == 1 and "Connection refused" in alone.stdout, alone.stdout[-2000:]
    done = pytest_run(src, "--parity-profile", "prod", "--parity-project", str(SAUTILS), *SAUTILS_TESTS, "-q")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", done.stdout.strip().splitlines()[-1])}
    assert counts.get("passed", 0) >= 100 and not counts.get("failed") and not counts.get("errors"), counts
    assert parity_resources(docker_client, SAUTILS) == set()
