"""Every kind of bad input gets one clear message, the SPEC's exit code, a fix, and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.engine.recipes import offline_summary
from tests.conftest import parity_resources
from tests.integration.projects import make_project, parity_cli

GOOD = "database: {version: '15'}\n"
APP = "database: {version: '15'}\napp: {build: app}\n"

CASES = [
    # (id, prod profile text, extra files, args, exit code, phrases in stderr)
    ("malformed-yaml", "database:\n  version: [15\n", {}, None, 2, ["prod.yaml:3:1", "invalid YAML"]),
    ("unknown-key", "database:\n  verion: 15\n", {}, None, 2, ["prod.yaml:2:3", "'verion'", "did you mean 'version'"]),
    ("wrong-type", "database:\n  max_connections: lots\n", {}, None, 2, ["prod.yaml:2:3", "max_connections"]),
    ("wrong-unit", "app:\n  build: app\n  memory: 12parsecs\n", {}, None, 2, ["prod.yaml:3:3", "12parsecs"]),
    ("missing-extends", "extends: basee\n", {}, None, 2, ["no profile 'basee'", "extended by 'prod'"]),
    ("cyclic-extends", "extends: other\n", {"profiles/other.yaml": "extends: prod\n"}, None, 2,
     ["cycle", "prod -> other -> prod"]),
    ("unknown-profile", GOOD, {}, ["run", "--profile", "staging"], 2, ["no profile 'staging'", "known profiles"]),
    ("missing-build-context", "app: {build: nowhere}\n", {}, None, 2, ["build context", "nowhere", "does not exist"]),
    ("missing-dockerfile", "app: {build: app, dockerfile: Dockerfile.prod}\n", {}, None, 2,
     ["no Dockerfile.prod in"]),
    ("migrations-command-not-found", GOOD + "migrations: {command: [alembicc, upgrade, head], run_in: host}\n", {},
     None, 2, ["migrations.command", "'alembicc'", "not found"]),
    ("up-with-migrations-command-not-found", GOOD + "migrations: {command: [alembicc, upgrade, head], run_in: host}\n",
     {}, ["up", "--profile", "prod"], 2, ["migrations.command", "'alembicc'", "not found"]),
    ("migrations-command-not-in-image", APP + "migrations: {command: [alembicc, upgrade, head], run_in: app}\n", {},
     None, 2, ["'alembicc' is not found in the app image"]),
    ("migrations-shell-command-not-in-image", APP + "migrations: {command: 'alembicc upgrade head', run_in: app}\n",
     {}, None, 2, ["migrations command is not found in the app image", "alembicc"]),
    ("smoke-command-not-found", GOOD + "smoke: {command: [pytestt, -q]}\n", {}, None, 2,
     ["smoke.command", "'pytestt'", "not found"]),
    ("secret-env-missing", GOOD + "secrets: {values: {API_KEY: {env: PARITY_TEST_UNSET_VAR}}}\n", {}, None, 2,
     ["secret API_KEY", "PARITY_TEST_UNSET_VAR is not set"]),
    ("secret-file-missing", GOOD + "secrets: {values: {API_KEY: {file: secrets/api_key.txt}}}\n", {}, None, 2,
     ["secret API_KEY", "cannot read", "api_key.txt"]),
    ("data-on-sqlite", "database: {engine: sqlite}\ndata: {seed: [python, -V]}\n", {}, None, 2,
     ["data needs a Postgres database"]),
    ("traffic-on-sqlite", "database: {engine: sqlite}\ntraffic: {sql: ['select 1']}\n", {}, None, 2,
     ["traffic needs a Postgres database"]),
    ("data-at-without-alembic", GOOD + "migrations: {command: [python, scripts/migrate.py], run_in: host}\n"
     "data: {at: '0002', seed: [python, -V]}\n", {}, None, 2, ["data.at needs migrations parity applies"]),
    ("data-restore-missing", GOOD + "data: {restore: dumps/prod.dump}\n", {}, None, 2,
     ["data.restore", "prod.dump does not exist"]),
    ("data-seed-not-found", GOOD + "data: {seed: [seedd, --rows, '1000']}\n", {}, None, 2,
     ["data.seed", "'seedd'", "not found"]),
    ("icu-locale-before-15", "database: {version: '13', icu_locale: und-x-icu}\n", {}, None, 2,
     ["prod.yaml:1:", "icu_locale needs Postgres 15 or later"]),
    # The image is at fault (exit 3), in initdb's own words.
    ("locale-the-image-lacks", "database: {version: '15', locale: de_DE.UTF-8}\n", {}, None, 3,
     ["database.locale de_DE.UTF-8", 'invalid locale name "de_DE.UTF-8"']),
    ("unknown-postgres-version", "database: {version: '11'}\n", {}, None, 3,
     ["postgres:11", "could not be pulled", offline_summary()]),  # the fix names what can be built
    ("image-neither-pulled-nor-built", GOOD + "app: {image: 'example.invalid/nothing:1'}\n", {}, None, 3,
     ["example.invalid/nothing:1"]),
]


@pytest.mark.parametrize(("prod", "files", "args", "code", "phrases"),
                         [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_bad_input_is_one_clear_message_with_the_right_exit_code(
    docker_client, tmp_path: Path, prod: str, files: dict[str, str], args: list[str] | None,  # type: ignore[no-untyped-def]
    code: int, phrases: list[str],
) -> None:
    project = make_project(tmp_path / "p", {"local": GOOD, "prod": prod})
    for name, text in files.items():
        (project / name).write_text(text)
    result = parity_cli(args or ["run", "--profile", "prod"], cwd=project)
    assert result.returncode == code, result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr
    assert "fix:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not parity_resources(docker_client, project)


def test_no_docker_engine_is_exit_3(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"local": GOOD, "prod": GOOD})
    result = parity_cli(["run", "--profile", "prod"], cwd=project,
                        env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert result.returncode == 3 and "no Docker engine answers" in result.stderr and "fix:" in result.stderr
    assert "Traceback" not in result.stderr
