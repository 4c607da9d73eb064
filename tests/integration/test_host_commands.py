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
