"""database.provider and database.instance: presets expanded at load, explicit keys winning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from parity.causes.keys import apply_group, differing_groups
from parity.cli import cli
from parity.errors import ProfileError
from parity.profile.loader import load_profile
from parity.profile.models import DatabaseSpec
from parity.profile.providers import admin_role_sql
from tests.conftest import write_profile

GiB = 2**30


def _database(tmp_path: Path, name: str = "prod", **profiles: str) -> DatabaseSpec:
    (tmp_path / "profiles").mkdir(exist_ok=True)
    for profile, text in profiles.items():
        write_profile(tmp_path, profile, text)
    database = load_profile(tmp_path / "profiles", name).profile.database
    assert database is not None
    return database


def test_an_rds_preset_is_ordinary_keys_with_the_provider_kept(tmp_path: Path) -> None:
    database = _database(tmp_path, prod="database: {provider: rds, version: 16}\n")
    assert database.provider == "rds"
    assert (database.ssl, database.superuser, database.locale) == ("required", False, "en_US.UTF-8")
    assert database.extensions is not None and {"postgres_fdw", "pg_trgm", "vector"} <= set(database.extensions)
    assert database.memory is None and database.max_connections is None  # no instance: no sizing


def test_rds_forces_tls_from_15_on_only(tmp_path: Path) -> None:
    assert _database(tmp_path, prod="database: {provider: rds, version: 14}\n").ssl == "optional"
    assert _database(tmp_path, prod="database: {provider: rds, version: 15}\n").ssl == "required"
    assert _database(tmp_path, prod="database: {provider: rds, version: '16.4'}\n").ssl == "required"  # a minor


def test_a_key_set_beside_the_provider_wins_and_settings_merge_setting_by_setting(tmp_path: Path) -> None:
    database = _database(tmp_path, prod=(
        "database:\n  provider: supabase\n  version: 17\n  ssl: off\n  locale: en_US.UTF-8\n"
        "  settings: {work_mem: 8MB}\n"))
    assert (database.ssl, database.locale) == ("off", "en_US.UTF-8")
    assert database.settings == {"statement_timeout": "2min", "work_mem": "8MB"}
    overridden = _database(tmp_path, name="p2", p2=(
        "database: {provider: supabase, version: 17, settings: {statement_timeout: 30s}}\n"))
    assert overridden.settings == {"statement_timeout": "30s"}


def test_the_preset_wins_over_the_profile_it_extends_and_loses_to_one_extending_it(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    write_profile(tmp_path, "local", "database: {version: 16, ssl: off, superuser: true}\n")
    write_profile(tmp_path, "prod", "extends: local\ndatabase: {provider: rds, instance: db.t4g.medium}\n")
    write_profile(tmp_path, "staging", "extends: prod\ndatabase: {ssl: optional, max_connections: 100}\n")
    prod = load_profile(tmp_path / "profiles", "prod").profile.database
    assert prod is not None and (prod.ssl, prod.superuser) == ("required", False)
    staging = load_profile(tmp_path / "profiles", "staging").profile.database
    assert staging is not None
    assert (staging.ssl, staging.max_connections, staging.memory) == ("optional", 100, 4 * GiB)
    assert staging.provider == "rds" and staging.superuser is False


def test_a_major_the_provider_does_not_offer_is_an_error_listing_the_ones_it_does(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as caught:
        _database(tmp_path, prod="database:\n  provider: supabase\n  version: 16\n")
    assert "prod.yaml:3:3" in caught.value.message  # where version is written
    assert "database.version 16 is not a major supabase offers (it offers 15, 17)" in caught.value.message
    assert caught.value.fix and "15, 17" in caught.value.fix


@pytest.mark.parametrize(("provider", "version", "instance", "memory", "connections"), [
    ("rds", 16, "db.t4g.medium", 4 * GiB, 450),  # LEAST(4 GiB / 9531392, 5000)
    ("rds", 16, "db.r6g.xlarge", 32 * GiB, 3604),
    ("cloudsql", 16, "db-custom-2-7680", 7680 * 2**20, 400),  # 7.5 GB up to 15 GB: 400
    ("cloudsql", 16, "db-custom-4-26624", 26 * GiB, 500),  # any custom type, sized from its name
    ("cloudsql", 16, "db-f1-micro", int(0.6 * GiB), 25),
    ("azure", 16, "D4ds_v5", 16 * GiB, 1718),
    ("neon", 17, "0.25", 1 * GiB, 104),
])
def test_an_instance_class_sizes_memory_and_max_connections(
    tmp_path: Path, provider: str, version: int, instance: str, memory: int, connections: int
) -> None:
    database = _database(tmp_path, prod=f"database: {{provider: {provider}, version: {version}, instance: {instance}}}\n")
    assert (database.memory, database.max_connections) == (memory, connections)
    assert database.instance == instance


def test_an_unknown_instance_class_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as caught:
        _database(tmp_path, prod="database: {provider: azure, version: 16, instance: D3s_v9}\n")
    assert "'D3s_v9' is not an instance class parity knows for azure" in caught.value.message
    assert caught.value.fix and "B1ms" in caught.value.fix and "E4ds_v5" in caught.value.fix


def test_an_instance_without_a_provider_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="needs database.provider"):
        _database(tmp_path, prod="database: {instance: db.t4g.medium}\n")


def test_a_provider_on_sqlite_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="provider rds runs Postgres servers"):
        _database(tmp_path, prod="database: {engine: sqlite, provider: rds}\n")


def test_vanilla_adds_nothing_but_its_name(tmp_path: Path) -> None:
    database = _database(tmp_path, prod="database: {provider: vanilla, version: 13}\n")
    assert database.model_dump(exclude={"provider"}) == DatabaseSpec(version="13").model_dump(exclude={"provider"})


def test_profiles_show_prints_the_preset_expanded(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    write_profile(tmp_path, "prod", "database: {provider: neon, version: 17, instance: 1}\n")
    result = CliRunner().invoke(cli, ["profiles", "show", "prod", "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for line in ("  provider: neon", "  ssl: required", "  superuser: false", "  max_connections: 419",
                 "  instance: '1'"):
        assert line in lines
    extensions = next(line for line in lines if line.startswith("  extensions: ["))
    assert "pg_trgm" in extensions.removeprefix("  extensions: [").rstrip("]").split(", ")


def test_profiles_show_of_a_major_the_provider_lacks_exits_2_with_a_fix(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    write_profile(tmp_path, "prod", "database: {provider: neon, version: 13}\n")
    result = subprocess.run([sys.executable, "-m", "parity", "profiles", "show", "prod"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "it offers 14, 15, 16, 17, 18" in result.stderr and "fix: set database.version" in result.stderr
    assert "Traceback" not in result.stderr


def test_explain_names_the_keys_inside_the_preset_and_the_provider_for_its_roles(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    write_profile(tmp_path, "local", "database: {version: 16}\n")
    write_profile(tmp_path, "prod", "database: {version: 16, provider: rds, instance: db.t4g.micro}\n")
    local = load_profile(tmp_path / "profiles", "local").profile
    prod = load_profile(tmp_path / "profiles", "prod").profile
    names = [group.name for group in differing_groups(local, prod)]
    assert names == ["database.ssl", "database.superuser", "database.memory", "database.max_connections",
                     "database.locale", "database.provider", "database.extensions"]
    # The provider alone still changes something: the admin role layout of the baseline's cluster.
    (provider,) = [g for g in differing_groups(local, prod) if g.name == "database.provider"]
    flipped = apply_group(local, prod, provider).profile
    assert flipped is not None and flipped.database is not None and flipped.database.ssl == "off"
    assert local.database is not None and admin_role_sql(local.database, "app") == ""
    assert "GRANT rds_superuser TO app;" in admin_role_sql(flipped.database, "app")


def test_each_provider_hands_out_its_own_admin_role_layout() -> None:
    rds = admin_role_sql(DatabaseSpec(provider="rds", version="16", superuser=False), "app")
    assert rds.splitlines() == [
        "ALTER ROLE app CREATEDB CREATEROLE;",
        "CREATE ROLE rds_superuser NOLOGIN CREATEDB CREATEROLE;",
        "GRANT pg_monitor TO rds_superuser;",
        "GRANT pg_signal_backend TO rds_superuser;",
        "GRANT rds_superuser TO app;",
    ]
    neon = admin_role_sql(DatabaseSpec(provider="neon", version="16"), "owner")
    assert "GRANT pg_read_all_data TO neon_superuser;" in neon and "GRANT neon_superuser TO owner;" in neon
    supabase = admin_role_sql(DatabaseSpec(provider="supabase", version="15"), "app").splitlines()
    assert "ALTER ROLE anon SET statement_timeout = '3s';" in supabase
    assert "ALTER ROLE authenticated SET statement_timeout = '8s';" in supabase
    assert "CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;" in supabase
    assert admin_role_sql(DatabaseSpec(provider="vanilla"), "app") == ""


def test_an_unknown_provider_exits_2_naming_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    write_profile(tmp_path, "prod", "database:\n  provider: heroku\n")
    result = subprocess.run([sys.executable, "-m", "parity", "profiles", "show", "prod"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "prod.yaml:2:3: database.provider: Input should be 'vanilla', 'rds', 'cloudsql', 'azure'" in result.stderr
    assert "fix:" in result.stderr and "Traceback" not in result.stderr
