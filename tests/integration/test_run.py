"""`parity run` end to end on purpose-built apps: each divergence kind found, with its step and cause."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.engine import inventory
from parity.project import Project
from parity.results import RunResult
from parity.run import RunOptions, run
from tests.integration import projects

SQL = {
    "001_notes.sql": "CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL, currency text);\n",
    "002_any_value.sql": "CREATE VIEW note_currency AS SELECT id, any_value(currency) AS currency FROM notes GROUP BY id;\n",
    "003_fdw.sql": "CREATE EXTENSION postgres_fdw;\n",
}


def make_project(root: Path, local: str, prod: str) -> Project:
    """A project with the tiny app, the test scripts, SQL migrations and two profiles."""
    return Project.at(projects.make_project(root, {"local": local, "prod": prod}, SQL))


def run_pair(project: Project) -> RunResult:
    return run(project, RunOptions(target="prod")).result


def only_divergence(result: RunResult, step: str) -> tuple[str, str | None]:
    matching = [d for d in result.divergences if d.step == step]
    assert matching, f"no {step} divergence in {[(d.step, d.subject) for d in result.divergences]}"
    return matching[0].subject, matching[0].cause


MIGRATE = "migrations: {{command: [python, scripts/migrate.py, {files}], run_in: host, timeout: 1m}}\n"
APP = ("app: {{build: app, env: {{SCENARIO: {scenario}}}{extra}, "
       "startup_probe: {{http: /healthz, period: 1s, failure_threshold: {threshold}}}}}\n")


def app(scenario: str, extra: str = "", threshold: int = 30) -> str:
    return APP.format(scenario=scenario, extra=extra, threshold=threshold)


@pytest.mark.parametrize(
    ("local", "prod", "step", "cause"),
    [
        pytest.param(
            "database: {version: '17'}\n" + MIGRATE.format(files="sql/001_notes.sql, sql/002_any_value.sql"),
            "database: {version: '15'}\n" + MIGRATE.format(files="sql/001_notes.sql, sql/002_any_value.sql"),
            "migrations", "database.version", id="feature-newer-than-production-postgres"),
        pytest.param(
            "database: {version: '15', ssl: off}\n" + MIGRATE.format(files="sql/001_notes.sql"),
            "database: {version: '15', ssl: required}\n" + MIGRATE.format(files="sql/001_notes.sql"),
            "migrations", "database.ssl", id="client-without-tls-against-forced-ssl"),
        pytest.param(
            "database: {version: '15', superuser: true}\n" + MIGRATE.format(files="sql/003_fdw.sql"),
            "database: {version: '15', superuser: false}\n" + MIGRATE.format(files="sql/003_fdw.sql"),
            "migrations", "database.superuser", id="untrusted-extension-without-superuser"),
        pytest.param(
            "database: {version: '15'}\nsmoke: {command: [python, scripts/many_connections.py]}\n",
            "database: {version: '15', max_connections: 6}\nsmoke: {command: [python, scripts/many_connections.py]}\n",
            "smoke", "database.max_connections", id="connection-pool-over-max-connections"),
        pytest.param(
            "database: {version: '15'}\n" + app("hungry"),
            "database: {version: '15'}\n" + app("hungry", ", memory: 128m"),
            "startup", "app.memory", id="oom-kill-at-the-memory-cap"),
        pytest.param(
            "database: {version: '15'}\n" + app("slow"),
            "database: {version: '15'}\n" + app("slow", threshold=2),
            "startup", "app.startup_probe", id="startup-slower-than-the-probe-budget"),
        pytest.param(
            "database: {version: '15'}\n" + app("secret-env")
            + "secrets: {source: env, values: {SECRET_KEY: {value: s3cr3t-value}}}\n",
            "database: {version: '15'}\n" + app("secret-env")
            + "secrets: {source: files, values: {SECRET_KEY: {value: s3cr3t-value}}}\n",
            "startup", "secrets.source", id="secret-read-from-env-but-delivered-as-file"),
        pytest.param(
            "database: {version: '15'}\n" + app("write-cache"),
            "database: {version: '15'}\n" + app("write-cache", ", read_only: true, tmpfs: [/tmp]"),
            "startup", "app.read_only", id="write-to-a-read-only-root-filesystem"),
    ],
)
def test_each_production_only_failure_is_a_divergence_with_its_cause(
    docker_client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_leaks: None,  # type: ignore[no-untyped-def]
    local: str, prod: str, step: str, cause: str,
) -> None:
    monkeypatch.setenv("FORCE_NO_TLS", "1")
    result = run_pair(make_project(tmp_path, local, prod))
    assert result.verdict == "divergent" and result.exit_code == 1
    _subject, found_cause = only_divergence(result, step)
    assert found_cause == cause, result.divergences
    assert result.profiles["local"].steps[step].status == "ok"
    assert result.profiles["prod"].steps[step].status == "failed"


def test_the_oom_kill_also_shows_in_resources(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path, "database: {version: '15'}\n" + app("hungry"),
                           "database: {version: '15'}\n" + app("hungry", ", memory: 128m"))
    result = run_pair(project)
    assert result.profiles["prod"].steps["startup"].facts["oom_killed"] is True
    assert result.profiles["prod"].steps["resources"].facts["app_oom_killed"] is True
    subject, cause = only_divergence(result, "resources")
    assert subject == "app memory" and cause == "app.memory"


def test_a_clean_app_is_parity_with_a_sqlite_baseline(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    common = (MIGRATE.format(files="sql/001_notes.sql")
              + "smoke: {http: [{name: health, path: /healthz, expect_status: 200}]}\n")
    project = make_project(
        tmp_path,
        "database: {engine: sqlite}\n" + app("clean") + common,
        "database: {version: '15', ssl: required, superuser: false, memory: 512m, max_connections: 20}\n"
        + "app: {build: app, env: {SCENARIO: clean}, memory: 128m, read_only: true, user: '10001', cpus: 0.5,"
          " startup_probe: {exec: [python, -c, 'import urllib.request as u; u.urlopen(\"http://127.0.0.1:8000/healthz\")'],"
          " period: 500ms, failure_threshold: 40}}\n" + common,
    )
    result = run_pair(project)
    assert result.divergences == [] and result.failures == [], result.divergences
    assert result.verdict == "parity" and result.exit_code == 0
    for name in ("local", "prod"):
        steps = result.profiles[name].steps
        assert {k: v.status for k, v in steps.items()} == {
            "database": "ok", "data": "skipped", "migrations": "ok", "startup": "ok", "smoke": "ok",
            "resources": "ok", "rollout": "skipped", "shutdown": "skipped"}
        assert steps["smoke"].tests[0].id == "http:health" and steps["smoke"].tests[0].outcome == "passed"


def test_a_step_failing_on_both_sides_is_not_parity(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    broken = "database: {version: '15'}\nmigrations: {command: [python, scripts/migrate.py, sql/missing.sql], run_in: host}\n"
    result = run_pair(make_project(tmp_path, broken, broken))
    assert result.divergences == []
    assert [f.step for f in result.failures] == ["migrations"]
    assert result.verdict == "divergent" and result.exit_code == 1


def test_keep_leaves_both_environments_up_until_down(docker_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import parity_resources
    from tests.integration.projects import parity_cli

    profile = "database: {version: '15'}\n" + app("clean")
    project = make_project(tmp_path, profile, profile)
    result = parity_cli(["run", "--profile", "prod", "--keep"], cwd=project.root)
    try:
        assert result.returncode == 0, result.stderr
        assert "kept local" in result.stdout and "kept prod" in result.stdout and "APP_URL=" in result.stdout
        containers = inventory.containers(docker_client, {"label": f"io.parity.project={project.root}"})
        assert {c.labels["io.parity.role"] for c in containers} == {"database", "app"} and len(containers) == 4
    finally:
        down = parity_cli(["down", "--all"], cwd=project.root)
    assert down.returncode == 0 and not parity_resources(docker_client, project.root)


def test_a_secret_delivered_as_a_file_beside_env_and_a_probe_on_its_own_port_as_an_imported_pod_has_them(
    docker_client, tmp_path: Path, no_leaks: None  # type: ignore[no-untyped-def]
) -> None:
    local = "database: {version: '15'}\napp: {build: app, startup_probe: {http: /healthz, period: 500ms}}\n"
    # /startup answers 200 only on PROBE_PORT: a probe sent to the app's port never passes.
    prod = ("database: {version: '15'}\n"
            "app: {build: app, env: {SCENARIO: check-mixed-delivery, EXPECT_SECRET: s3cret, PROBE_PORT: '9090', "
            "SECRETS_DIR: /etc/app/secrets}, "
            "startup_probe: {http: /startup, port: 9090, period: 500ms, failure_threshold: 40}}\n"
            "secrets: {source: env, path: /etc/app/secrets, values: {SECRET_KEY: {value: s3cret, deliver: files}}}\n")
    result = run_pair(make_project(tmp_path, local, prod))
    startup = result.profiles["prod"].steps["startup"]
    assert startup.status == "ok", startup.detail
    assert result.verdict == "parity", result.divergences


@pytest.mark.parametrize(("source", "ssl"), [("env", "required"), ("files", "required"), ("dotenv", "optional")])
def test_secrets_database_url_and_ca_reach_the_app_by_each_source(
    docker_client, tmp_path: Path, no_leaks: None, source: str, ssl: str  # type: ignore[no-untyped-def]
) -> None:
    secret = r'"multi\nline \"quoted\" $value"'  # YAML: a newline, quotes and a dollar sign

    def profile(src: str, ssl_mode: str, expect_ca: str) -> str:
        return (f"database: {{version: '15', ssl: {ssl_mode}}}\n"
                f"app: {{build: app, env: {{SCENARIO: check-delivery, EXPECT_CA: '{expect_ca}', "
                f"EXPECT_SECRET: {secret}}}, startup_probe: {{http: /healthz, period: 500ms, failure_threshold: 40}}}}\n"
                f"secrets: {{source: {src}, values: {{SECRET_KEY: {{value: {secret}}}}}}}\n")
    result = run_pair(make_project(tmp_path, profile("env", "off", "0"), profile(source, ssl, "1")))
    prod = result.profiles["prod"].steps["startup"]
    assert prod.status == "ok", prod.detail
    assert result.verdict == "parity", result.divergences
