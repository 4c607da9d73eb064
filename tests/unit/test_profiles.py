"""Profile loading: the format, extends, units, and errors that name file, line and key."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from parity.errors import ProfileError
from parity.profile.loader import list_profiles, load_profile
from parity.profile.models import profile_json_schema
from tests.conftest import write_profile

FULL = """\
description: Production
database:
  engine: postgres
  version: 14
  ssl: required
  superuser: false
  memory: 1g
  max_connections: 50
  settings: {timezone: UTC, log_min_duration_statement: 250}
app:
  build: .
  memory: 512m
  cpus: 0.5
  read_only: true
  tmpfs: [/tmp]
  user: 10001
  env: {APP_ENV: production, WORKERS: 2}
  startup_probe: {http: /healthz, initial_delay: 500ms, period: 2s, timeout: 1s, failure_threshold: 5}
secrets:
  source: files
  values:
    SECRET_KEY: {env: SECRET_KEY}
migrations: {command: [alembic, upgrade, head], run_in: app, timeout: 5m}
smoke:
  command: [pytest, tests/smoke, -q]
  http:
    - {name: health, path: /healthz, expect_status: 200}
"""


def test_every_key_of_the_spec_loads_with_units_parsed(project_dir: Path) -> None:
    write_profile(project_dir, "prod", FULL)
    p = load_profile(project_dir / "profiles", "prod").profile
    assert p.database and p.app and p.secrets and p.migrations and p.smoke
    assert p.database.version == "14" and p.database.ssl == "required" and not p.database.superuser
    assert p.database.memory == 2**30 and p.database.max_connections == 50
    assert p.database.settings == {"timezone": "UTC", "log_min_duration_statement": "250"}
    assert p.app.memory == 512 * 2**20 and p.app.user == "10001" and p.app.env["WORKERS"] == "2"
    assert p.app.startup_probe is not None
    assert p.app.startup_probe.budget == pytest.approx(0.5 + 2 * 5)
    assert p.secrets.values["SECRET_KEY"].env == "SECRET_KEY"
    assert p.secrets.resolved_path() == "/run/secrets"
    assert p.migrations.timeout == 300 and p.smoke.http[0].expect_status == 200


def test_bare_off_means_the_ssl_mode_off(project_dir: Path) -> None:
    write_profile(project_dir, "local", "database: {ssl: off}\n")
    db = load_profile(project_dir / "profiles", "local").profile.database
    assert db is not None and db.ssl == "off"


def test_unknown_key_names_file_line_and_suggests_the_right_key(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "database:\n  version: 15\napp:\n  build: .\n  memroy: 512m\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(project_dir / "profiles", "prod")
    message = caught.value.message
    assert "prod.yaml:5:3" in message
    assert "'memroy'" in message and "did you mean 'memory'" in message


def test_wrong_unit_is_reported_at_its_line(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "app:\n  image: x:1\n  startup_probe:\n    http: /h\n    period: 10x\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(project_dir / "profiles", "prod")
    assert "prod.yaml:5:5" in caught.value.message and "10x" in caught.value.message


def test_malformed_yaml_gives_line_and_column(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "database:\n  version: [15\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(project_dir / "profiles", "prod")
    assert "prod.yaml:3:1" in caught.value.message and "invalid YAML" in caught.value.message


def test_duplicate_keys_are_an_error_not_a_silent_override(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "database:\n  version: 15\n  version: 13\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(project_dir / "profiles", "prod")
    assert "duplicate key 'version'" in caught.value.message


def test_extends_deep_merges_over_the_parent(project_dir: Path) -> None:
    write_profile(project_dir, "base", "database: {version: 15, max_connections: 20}\napp: {build: ., env: {A: '1', B: '2'}}\n")
    write_profile(project_dir, "prod", "extends: base\ndatabase: {ssl: required}\napp: {env: {B: '3'}}\n")
    loaded = load_profile(project_dir / "profiles", "prod")
    p = loaded.profile
    assert p.database and p.database.version == "15" and p.database.max_connections == 20
    assert p.database.ssl == "required"
    assert p.app and p.app.env == {"A": "1", "B": "3"}
    assert [f.name for f in loaded.files] == ["base.yaml", "prod.yaml"]


def test_an_error_in_the_parent_names_the_parent_file(project_dir: Path) -> None:
    write_profile(project_dir, "base", "database:\n  verison: 15\n")
    write_profile(project_dir, "prod", "extends: base\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(project_dir / "profiles", "prod")
    assert "base.yaml:2:3" in caught.value.message and "did you mean 'version'" in caught.value.message


def test_cyclic_extends_is_detected(project_dir: Path) -> None:
    write_profile(project_dir, "a", "extends: b\n")
    write_profile(project_dir, "b", "extends: a\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(project_dir / "profiles", "a")
    assert "cycle" in caught.value.message and "a -> b -> a" in caught.value.message


def test_missing_extends_and_unknown_profile_are_named(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "extends: bsae\n")
    write_profile(project_dir, "base", "{}\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(project_dir / "profiles", "prod")
    assert "'bsae'" in caught.value.message and "did you mean 'base'" in caught.value.message
    with pytest.raises(ProfileError) as caught:
        load_profile(project_dir / "profiles", "staging")
    assert "no profile 'staging'" in caught.value.message and caught.value.fix and "prod" in caught.value.fix


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("app: {build: ., image: x:1}\n", "exactly one of build"),
        ("app: {build: ., startup_probe: {http: /h, tcp: true}}\n", "one kind"),
        ("secrets: {values: {K: {env: A, value: b}}}\n", "exactly one of"),
        ("database: {ssl: true}\n", "off, optional or required"),
        ("database: {engine: mysql}\n", "database.engine"),
        ("migrations: {run_in: app}\n", "migrations.command: this key is required"),
        ("- just\n- a list\n", "a mapping of sections"),
        ("data: {at: '0002'}\n", "one of rows"),
        ("data: {rows: {notes: 10}, seed: [make, seed]}\n", "got rows, seed"),
        ("data: {rows: {notes: 10}}\n", "name the revision to fill at with data.at"),
        ("data: {at: '1', rows: {notes: 0}}\n", "greater than or equal to 1"),
        ("traffic: {rate: 50/s}\n", "traffic needs sql"),
        ("traffic: {rate: fast, sql: [select 1]}\n", "a rate such as 50/s"),
        ("traffic: {http: true, sql: [select 1]}\n", "traffic.http is not supported yet"),
        ("migrations: {command: x, lock_budget: soon}\n", "a duration"),
        ("database: {locale: 'en US'}\n", "not a locale name"),
        ("database: {locale: '--encoding=SQL_ASCII'}\n", "not a locale name"),
        ("database: {icu_locale: 'und x'}\n", "not an ICU locale"),
        # ICU as the default collation's provider came with Postgres 15.
        ("database: {version: 13, icu_locale: und-x-icu}\n", "icu_locale needs Postgres 15 or later"),
    ],
)
def test_invalid_profiles_get_a_clear_message(project_dir: Path, text: str, expected: str) -> None:
    write_profile(project_dir, "p", text)
    with pytest.raises(ProfileError) as caught:
        load_profile(project_dir / "profiles", "p")
    assert expected in caught.value.message


def test_json_schema_accepts_a_valid_profile_and_rejects_a_typo() -> None:
    schema = profile_json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(yaml.safe_load(FULL.replace("ssl: required", "ssl: 'required'"))))
    bad = yaml.safe_load("app: {build: ., memroy: 1g}\n")
    assert list(validator.iter_errors(bad))
    json.dumps(schema)


def test_list_profiles_finds_yaml_and_yml(project_dir: Path) -> None:
    write_profile(project_dir, "local", "{}\n")
    (project_dir / "profiles" / "prod.yml").write_text("{}\n")
    assert list_profiles(project_dir / "profiles") == ["local", "prod"]


def test_a_child_choosing_another_one_of_option_replaces_the_parents(project_dir: Path) -> None:
    write_profile(project_dir, "local", "app: {build: ., startup_probe: {http: /h}}\n"
                                        "secrets: {values: {K: {value: dev}}}\n")
    write_profile(project_dir, "prod", "extends: local\napp: {image: 'x:1', startup_probe: {tcp: true}}\n"
                                       "secrets: {values: {K: {env: PROD_K}}}\n")
    p = load_profile(project_dir / "profiles", "prod").profile
    assert p.app and p.app.image == "x:1" and p.app.build is None
    assert p.app.startup_probe and p.app.startup_probe.kind == "tcp"
    assert p.secrets and p.secrets.values["K"].env == "PROD_K" and p.secrets.values["K"].value is None


def test_the_keys_for_real_apps_load(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "host: {venv: .venv}\n"
                  "database: {env: {PGHOST: '{host}', PGPORT: '{port}', DB_URL: '{url}?sslmode=require'}}\n"
                  "smoke: {command: [npx, jest, --ci], junit: reports/*.xml}\n")
    p = load_profile(project_dir / "profiles", "prod").profile
    assert p.host and p.host.venv == ".venv"
    assert p.database and p.database.env == {"PGHOST": "{host}", "PGPORT": "{port}", "DB_URL": "{url}?sslmode=require"}
    assert p.smoke and p.smoke.junit == "reports/*.xml"


@pytest.mark.parametrize(("template", "said"), [("{hostname}", "unknown placeholder {hostname}"),
                                                ("{host", "not a valid template")])
def test_a_database_env_template_with_an_unknown_placeholder_is_a_profile_error(
    project_dir: Path, template: str, said: str
) -> None:
    write_profile(project_dir, "prod", f"database: {{env: {{PGHOST: '{template}'}}}}\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(project_dir / "profiles", "prod")
    assert said in caught.value.message and "prod.yaml:1" in caught.value.message


def test_the_rehearsal_keys_load_with_units_and_a_child_picks_another_data_source(project_dir: Path) -> None:
    write_profile(project_dir, "local", "data: {at: '0002', rows: {notes: 1000000, users: 5000}}\n"
                                        "migrations: {command: [alembic, upgrade, head]}\n")
    write_profile(project_dir, "prod", "extends: local\ndata: {restore: prod.dump}\n"
                                       "traffic: {rate: 300/m, sql: ['select 1'], hold: [notes], hold_for: 2s}\n"
                                       "migrations: {lock_budget: 500ms, budget: 2m, rollback: true}\n")
    local = load_profile(project_dir / "profiles", "local").profile
    prod = load_profile(project_dir / "profiles", "prod").profile
    assert local.data and local.data.rows == {"notes": 1000000, "users": 5000} and local.data.at == "0002"
    assert prod.data and prod.data.restore == "prod.dump" and prod.data.rows == {} and prod.data.at == "0002"
    assert prod.traffic and prod.traffic.rate == 5.0 and prod.traffic.hold == ["notes"] and prod.traffic.hold_for == 2
    assert prod.migrations and prod.migrations.lock_budget == 0.5 and prod.migrations.budget == 120
    assert prod.migrations.rollback and prod.migrations.command == ["alembic", "upgrade", "head"]


def test_app_shutdown_takes_the_kubelet_default_grace_period_and_an_optional_request(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "app: {build: ., shutdown: {}}\n")
    spec = load_profile(project_dir / "profiles", "prod").profile.app
    assert spec is not None and spec.shutdown is not None
    assert spec.shutdown.termination_grace_period == 30.0 and spec.shutdown.request is None
    write_profile(project_dir, "prod", "app: {build: ., shutdown: {termination_grace_period: 500ms, "
                                       "request: {method: POST, path: /upload, expect_status: 201}}}\n")
    spec = load_profile(project_dir / "profiles", "prod").profile.app
    assert spec is not None and spec.shutdown is not None and spec.shutdown.request is not None
    assert spec.shutdown.termination_grace_period == 0.5
    assert (spec.shutdown.request.method, spec.shutdown.request.path, spec.shutdown.request.expect_status) == (
        "POST", "/upload", 201)
    write_profile(project_dir, "prod", "app: {build: ., shutdown: {grace: 5s}}\n")
    with pytest.raises(ProfileError, match="grace"):
        load_profile(project_dir / "profiles", "prod")


def test_replicas_sticky_and_rollout_load_and_what_needs_replicas_says_so(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "app: {build: ., replicas: 3, sticky: true, rollout: true}\n")
    spec = load_profile(project_dir / "profiles", "prod").profile.app
    assert spec is not None and (spec.replicas, spec.sticky, spec.rollout) == (3, True, True)
    for text, message in (("sticky: true", "sticky: true needs replicas"),
                          ("replicas: 1, rollout: true", "rollout: true needs replicas: 2 or more"),
                          ("replicas: 0", "replicas")):
        write_profile(project_dir, "prod", f"app: {{build: ., {text}}}\n")
        with pytest.raises(ProfileError, match=message):
            load_profile(project_dir / "profiles", "prod")


def test_the_locale_keys_load_and_default_to_what_the_image_gives(project_dir: Path) -> None:
    write_profile(project_dir, "prod", "database: {version: 15, locale: en_US.UTF-8, icu_locale: und-x-icu}\n")
    write_profile(project_dir, "local", "database: {version: 13}\n")
    write_profile(project_dir, "custom", "database: {version: 13, image: 'my/pg:16', icu_locale: de-DE}\n")
    prod = load_profile(project_dir / "profiles", "prod").profile.database
    local = load_profile(project_dir / "profiles", "local").profile.database
    assert prod is not None and (prod.locale, prod.icu_locale) == ("en_US.UTF-8", "und-x-icu")
    assert local is not None and (local.locale, local.icu_locale) == (None, None)
    # An explicit image's major is unknown here: initdb says whether it has ICU.
    assert load_profile(project_dir / "profiles", "custom").profile.database is not None
