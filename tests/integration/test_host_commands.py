"""parity in its own virtualenv, the app's tools only in another: host commands run with the app's
environment (named by host.venv, or activated), and get the database as its variables say."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import parity_resources
from tests.integration.projects import APPS, REPO, parity_cli

CANARY = "canary-7d1f0c"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
COMMON = (
    "database: {{version: '{version}', ssl: {ssl}, superuser: {superuser}, env: {{PGHOST: '{{host}}', "
    "PGPORT: '{{port}}', PGUSER: '{{user}}', PGPASSWORD: '{{password}}', PGDATABASE: '{{name}}', "
    "APP_DB_URL: '{{url}}'}}}}\n"
    "app: {{image: python:3.11-slim, command: [sleep, '600'], env: {{GREETING: hello, EXPECT_TLS: '{tls}'}}, "
    # The app's container gets database.env as seen on its network (db:5432) and app.env.
    "startup_probe: {{exec: [sh, -c, 'test \"$PGHOST:$PGPORT:$GREETING\" = db:5432:hello -a -n \"$PGPASSWORD\"'], "
    "period: 200ms}}}}\n"
    "secrets: {{source: files, values: {{API_TOKEN: {{value: " + CANARY + "}}}}}}\n"
    "migrations: {{command: [python, -m, apptool, migrate], run_in: host, timeout: 1m}}\n"
    "smoke: {{command: [python, -m, apptool, smoke], junit: reports/*.xml, timeout: 1m}}\n"
)


def _app_venv(root: Path) -> Path:
    """The app's virtualenv: psycopg (from the example's wheelhouse, offline) and the app's tool."""
    venv = root / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    wheels = REPO / "example" / "wheelhouse"
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-index", "--find-links", str(wheels),
                    "psycopg[binary]"], check=True, timeout=300)
    site = next((venv / "lib").glob("python*/site-packages"))
    shutil.copy(APPS / "apptool" / "apptool.py", site / "apptool.py")
    return venv


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostapp")
    _app_venv(root)
    (root / "profiles").mkdir()
    return root


def _write_profiles(root: Path, host: str) -> None:
    (root / "profiles" / "local.yaml").write_text(host + COMMON.format(
        version="17", ssl="'off'", superuser="true", tls="0"))
    (root / "profiles" / "prod.yaml").write_text(host + COMMON.format(
        version="15", ssl="required", superuser="false", tls="1"))


@pytest.mark.parametrize("how", ["host.venv", "activated"])
def test_the_apps_tools_run_from_its_own_venv_never_paritys(
    docker_client, project: Path, how: str, no_leaks: None  # type: ignore[no-untyped-def]
) -> None:
    # parity runs from its own venv (sys.executable), which is NOT on PATH: exactly as after
    # `pipx install parity`. The app's tool is importable only by the app's venv's python.
    path = SYSTEM_PATH if how == "host.venv" else f"{project / '.venv' / 'bin'}{os.pathsep}{SYSTEM_PATH}"
    _write_profiles(project, "host: {venv: .venv}\n" if how == "host.venv" else "")
    report = project / f"report-{how}.json"
    env = {"PATH": path, "VIRTUAL_ENV": ""} if how == "host.venv" else {
        "PATH": path, "VIRTUAL_ENV": str(project / ".venv")}
    result = parity_cli(["run", "--profile", "prod", "--json", str(report)], cwd=project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(report.read_text())
    for name in ("local", "prod"):
        steps = data["profiles"][name]["steps"]
        assert steps["migrations"]["status"] == "ok", steps["migrations"]
        assert steps["smoke"]["status"] == "ok", steps["smoke"]
        # Per-test results from the JUnit file the tool wrote (smoke.junit), not one blanket result.
        assert {t["id"]: t["outcome"] for t in steps["smoke"]["tests"]} == {
            f"apptool::{check}": "passed" for check in (
                "app_env", "secret_value", "database_url", "url_template", "ca_under_tls", "table_migrated",
                "tls_as_profiled")}
    for text in (result.stdout, result.stderr, report.read_text()):
        assert CANARY not in text
    assert not parity_resources(docker_client, project)


def test_without_the_apps_venv_parity_does_not_lend_its_own_python(tmp_path: Path) -> None:
    # The same profiles with neither host.venv nor an activated venv, and no `python` on the
    # caller's PATH (Debian has only python3): parity must not fall back to its own interpreter,
    # and says so before starting anything.
    (tmp_path / "profiles").mkdir()
    _write_profiles(tmp_path, "")
    result = parity_cli(["run", "--profile", "prod"], cwd=tmp_path, env={"PATH": SYSTEM_PATH, "VIRTUAL_ENV": ""})
    output = result.stdout + result.stderr
    if shutil.which("python", path=SYSTEM_PATH) is None:
        assert result.returncode == 2, output
        assert "runs 'python', which is not found" in result.stderr and "host.venv" in result.stderr
    else:  # the system's python runs it, as the user's shell would: it has no apptool
        assert result.returncode == 1 and "No module named apptool" in output, output


SMOKE_SUITE = '''import os

import pytest


def _connect(depth: int) -> int:
    if depth:
        return _connect(depth - 1)
    if os.environ["SMOKE_DB"] != "ok":
        raise ConnectionRefusedError(f"the database refused the smoke suite ({os.environ['SMOKE_DB']})")
    return 1


@pytest.fixture
def db() -> int:
    return _connect(8)


def test_reads(db: int) -> None:
    assert db


def test_writes(db: int) -> None:
    assert db
'''


def test_an_app_that_runs_only_here_gets_host_env_and_its_setup_errors_lead_with_the_error(
    docker_client, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    # No app section (the app runs only on this machine), a SQLite file: host.env is the only
    # place for the suite's variables. The target's value makes the fixture raise at setup, deep
    # in a long traceback: pytest reports errors (not failures), and the report leads with the
    # exception, not with the traceback's start.
    (tmp_path / "profiles").mkdir()
    (tmp_path / "smoke").mkdir()
    (tmp_path / "smoke" / "test_db.py").write_text(SMOKE_SUITE)
    (tmp_path / "profiles" / "local.yaml").write_text(
        "host: {env: {SMOKE_DB: ok}}\ndatabase: {engine: sqlite}\n"
        f"smoke: {{command: ['{sys.executable}', -m, pytest, smoke, -q], timeout: 1m}}\n")
    (tmp_path / "profiles" / "prod.yaml").write_text("extends: local\nhost: {env: {SMOKE_DB: refused}}\n")
    report = tmp_path / "report.json"
    result = parity_cli(["run", "--profile", "prod", "--json", str(report)], cwd=tmp_path,
                        env={"COLUMNS": "200"})
    assert result.returncode == 1, result.stdout + result.stderr
    data = json.loads(report.read_text())
    assert data["profiles"]["local"]["steps"]["smoke"]["summary"] == "2 passed"
    assert data["profiles"]["prod"]["steps"]["smoke"]["summary"] == \
        "0 passed, 2 errors: smoke.test_db::test_reads, smoke.test_db::test_writes"
    error = "ConnectionRefusedError: the database refused the smoke suite (refused)"
    assert [d["target"] for d in data["divergences"]] == [f"error: {error}"] * 2
    # The terminal: each divergence's evidence starts with the error line.
    for index in (1, 2):
        evidence = result.stdout.split(f"#{index} smoke: ")[1].splitlines()
        assert evidence[1].strip() == error, result.stdout


def test_both_sides_missing_the_apps_venv_say_how_to_point_parity_at_it(
    docker_client, project: Path, no_leaks: None  # type: ignore[no-untyped-def]
) -> None:
    # The app's tool is only in its .venv, and neither profile names it: the system's python3
    # runs the migrations on both sides and finds no module. Not parity, and the failure says
    # what to do about it.
    (project / "profiles" / "local.yaml").write_text(
        "database: {version: '17'}\nmigrations: {command: [python3, -m, apptool, migrate], run_in: host}\n")
    (project / "profiles" / "prod.yaml").write_text("extends: local\ndatabase: {version: '15'}\n")
    report = project / "report-missing.json"
    result = parity_cli(["run", "--profile", "prod", "--json", str(report)], cwd=project,
                        env={"PATH": SYSTEM_PATH, "VIRTUAL_ENV": "", "COLUMNS": "200"})
    assert result.returncode == 1, result.stdout + result.stderr
    failures = json.loads(report.read_text())["failures"]
    assert [f["step"] for f in failures] == ["migrations"]
    assert "host.venv: .venv" in failures[0]["fix"]
    assert "No module named apptool" in result.stdout
    assert "fix: name the app's virtualenv in the profile (host.venv: .venv)" in result.stdout
