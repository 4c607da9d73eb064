"""database.extensions against live servers: the allow-list enforced inside the server, with the
provider's own refusal, on a pre-initialised cluster and on the image's own initdb."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from parity.env import extensions
from parity.env.environment import Environment
from tests.conftest import parity_resources
from tests.integration import projects

SHAPES = {
    # An RDS-like server on 15 (template path): postgres_fdw (untrusted) is on the list.
    "rds15": "database: {version: '15', superuser: false, provider: rds, extensions: [postgres_fdw, hstore]}\n",
    # Azure-like on 13, started by the image's own initdb: the same rules without a template.
    "azure13": "database: {version: '13', superuser: false, provider: azure, extensions: [citext]}\n",
    # No list: today's server.
    "plain17": "database: {version: '17', superuser: false}\n",
}
WITHOUT_TEMPLATE = {"azure13"}


@pytest.fixture(scope="module")
def server(docker_client, tmp_path_factory) -> Iterator[Callable[[str], Environment]]:  # type: ignore[no-untyped-def]
    """Each shape's environment, started at its first use; all gone (and checked gone) at the end."""
    started: dict[str, Environment] = {}
    environment = contextlib.contextmanager(projects.started_environment)
    with contextlib.ExitStack() as stack:
        def get(name: str) -> Environment:
            if name not in started:
                with pytest.MonkeyPatch.context() as patch:
                    if name in WITHOUT_TEMPLATE:
                        patch.setenv("PARITY_NO_TEMPLATE", "1")  # the image's own initdb makes it
                    started[name] = stack.enter_context(environment(docker_client, tmp_path_factory, name,
                                                                    SHAPES[name]))
            return started[name]
        yield get


@pytest.fixture
def rds15(server: Callable[[str], Environment]) -> Environment:
    return server("rds15")


@pytest.fixture
def azure13(server: Callable[[str], Environment]) -> Environment:
    return server("azure13")


@pytest.fixture
def plain17(server: Callable[[str], Environment]) -> Environment:
    return server("plain17")


def _connect(env: Environment, **overrides: object) -> psycopg.Connection:
    assert env.database is not None
    return psycopg.connect(**(env.database.connect_kwargs() | {"autocommit": True} | overrides))  # type: ignore[arg-type]


def _extensions(conn: psycopg.Connection) -> set[str]:
    return {str(row[0]) for row in conn.execute("SELECT extname FROM pg_extension")}


def test_a_listed_untrusted_extension_is_created_by_the_non_superuser_role(rds15: Environment) -> None:
    with _connect(rds15) as conn:
        assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() == (False,)
        conn.execute("CREATE EXTENSION postgres_fdw")  # untrusted in Postgres: superuser-only elsewhere
        assert "postgres_fdw" in _extensions(conn)


def test_an_unlisted_extension_is_refused_in_the_providers_words(rds15: Environment) -> None:
    with _connect(rds15) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
            conn.execute("CREATE EXTENSION pg_trgm")  # trusted in Postgres, but not on this list
        assert "pg_trgm" not in _extensions(conn)  # the command's own transaction was undone
        assert conn.execute("SHOW rds.allowed_extensions").fetchone() == ("postgres_fdw,hstore",)
    diag = caught.value.diag
    assert (diag.sqlstate, diag.message_primary) == ("42501", 'permission denied to create extension "pg_trgm"')
    assert diag.message_hint == 'This extension is not specified in "rds.allowed_extensions".'


def test_the_list_binds_the_superuser_too(rds15: Environment) -> None:
    assert rds15.database is not None
    admin = {"user": rds15.database.admin_user, "password": rds15.database.admin_password}
    with _connect(rds15, **admin) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("CREATE EXTENSION pgcrypto")


def test_if_not_exists_of_one_already_there_passes_and_of_an_unlisted_one_is_refused(rds15: Environment) -> None:
    with _connect(rds15) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS plpgsql")  # every database has it: nothing new
        conn.execute("CREATE EXTENSION IF NOT EXISTS hstore")
        conn.execute("CREATE EXTENSION IF NOT EXISTS hstore")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE EXTENSION IF NOT EXISTS citext")
        assert {"plpgsql", "hstore"} <= _extensions(conn) and "citext" not in _extensions(conn)


def test_an_unlisted_extension_cascade_brings_is_refused_by_name(rds15: Environment) -> None:
    # earthdistance requires cube: neither is listed; the one the command named is the one refused.
    with _connect(rds15) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
            conn.execute("CREATE EXTENSION earthdistance CASCADE")
        assert not {"earthdistance", "cube"} & _extensions(conn)
    assert '"earthdistance"' in str(caught.value)


def test_a_database_made_later_has_the_list_too(rds15: Environment) -> None:
    assert rds15.database is not None
    admin = {"user": rds15.database.admin_user, "password": rds15.database.admin_password}
    with _connect(rds15, **admin) as conn:
        conn.execute("CREATE DATABASE app_test")
    try:
        with _connect(rds15, dbname="app_test", **admin) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE EXTENSION pg_trgm")
    finally:
        with _connect(rds15, **admin) as conn:
            conn.execute("DROP DATABASE app_test")


def test_parity_can_still_install_pg_stat_statements_where_its_monitor_reads_it(rds15: Environment) -> None:
    # A rehearsal's monitor creates it in the postgres database, which has no allow-list trigger.
    assert rds15.database is not None
    admin = {"user": rds15.database.admin_user, "password": rds15.database.admin_password}
    with _connect(rds15, dbname="postgres", **admin) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        assert "pg_stat_statements" in _extensions(conn)
    with _connect(rds15) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("CREATE EXTENSION pg_stat_statements")


def test_the_images_own_initdb_enforces_it_with_azures_words(azure13: Environment) -> None:
    with _connect(azure13) as conn:
        conn.execute("CREATE EXTENSION citext")
        with pytest.raises(psycopg.errors.FeatureNotSupported) as caught:
            conn.execute("CREATE EXTENSION hstore")
        assert conn.execute("SHOW azure.extensions").fetchone() == ("citext",)
    diag = caught.value.diag
    assert diag.message_primary == extensions.refusal("azure", "hstore")
    assert diag.message_primary == ('extension "hstore" is not allow-listed for "azure_pg_admin" users in '
                                    'Azure Database for PostgreSQL')
    assert diag.message_hint == 'to see the full allow list of extensions, please run: "show azure.extensions;"'


def test_without_a_list_the_server_is_todays(plain17: Environment) -> None:
    with _connect(plain17) as conn:
        conn.execute("CREATE EXTENSION pg_trgm")  # trusted: the database's owner may
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
            conn.execute("CREATE EXTENSION postgres_fdw")  # untrusted: superuser only
        assert conn.execute("SELECT count(*) FROM pg_event_trigger").fetchone() == (0,)
    assert caught.value.diag.message_hint == "Must be superuser to create this extension."


LTREE = Path(__file__).parent / "realapps" / "ltree"


def test_a_third_party_apps_migration_diverges_on_the_allow_list_and_explain_confirms_it(
    docker_client, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    # django-ltree's first migration creates ltree and btree_gist; prod's list has only ltree.
    assert (LTREE / ".venv" / ".installed").exists(), "run `make realapps` first (make test does)"
    report = tmp_path / "report.json"
    result = projects.parity_cli(["run", "--profile", "prod", "--explain", "--json", str(report)], cwd=LTREE)
    assert result.returncode == 1, result.stdout + result.stderr
    divergences = json.loads(report.read_text())["divergences"]
    assert [(d["step"], d["subject"], d["cause"], d["cause_confidence"]) for d in divergences] == [
        ("migrations", "django_ltree.0001_create_extension", "database.extensions", "confirmed")]
    assert 'extension "btree_gist" is not available' in divergences[0]["target"]
    assert [(e["keys"], e["reproduced"]) for e in divergences[0]["experiments"]] == [(["database.extensions"], True)]
    assert not parity_resources(docker_client, LTREE)


def test_the_same_app_under_two_provider_presets_is_parity_on_rds_and_diverges_on_azure(
    docker_client, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    # RDS's preset lists both extensions django-ltree creates; on Azure the team allow-listed only
    # ltree (a key set over the preset wins). One run, both targets against the one laptop baseline.
    report = tmp_path / "report.json"
    result = projects.parity_cli(["run", "--profile", "prod-rds", "--profile", "prod-azure", "--json", str(report)],
                                 cwd=LTREE)
    assert result.returncode == 1, result.stdout + result.stderr
    targets = json.loads(report.read_text())["targets"]
    assert targets["prod-rds"]["verdict"] == "parity"
    rds = targets["prod-rds"]["profiles"]["prod-rds"]["steps"]["database"]["facts"]
    # The preset's facts: TLS forced, no superuser, RDS's en_US.UTF-8.
    assert rds["server_version"].startswith("17") and (rds["ssl"], rds["superuser"], rds["collation"]) == (
        "required", False, "en_US.UTF-8")
    [divergence] = targets["prod-azure"]["divergences"]
    assert (divergence["step"], divergence["subject"], divergence["cause"]) == (
        "migrations", "django_ltree.0001_create_extension", "database.extensions")
    assert 'extension "btree_gist" is not allow-listed for "azure_pg_admin" users' in divergence["target"]
    explained = projects.parity_cli(["explain", "--profile", "prod-azure", "--json", str(report)], cwd=LTREE)
    assert explained.returncode == 1, explained.stdout + explained.stderr
    [confirmed] = json.loads(report.read_text())["divergences"]
    assert (confirmed["cause"], confirmed["cause_confidence"]) == ("database.extensions", "confirmed")
    assert not parity_resources(docker_client, LTREE)


@pytest.mark.parametrize(("prod", "code", "phrases"), [
    # Postgres 17 dropped adminpack: the profile is at fault, said before anything starts.
    pytest.param("database: {version: '17', extensions: [pg_trgm, adminpack]}\n", 2,
                 ["prod.yaml:1:", "Postgres 17 does not ship adminpack", "up to 16"], id="gone-in-that-major"),
    pytest.param("database: {version: '15', extensions: [pg_trgrm]}\n", 2,
                 ["did you mean 'pg_trgm'"], id="a-near-miss"),
    # Postgres ships PL/Perl, the official image (and its stand-in) does not: the image is at fault.
    pytest.param("database: {version: '15', extensions: [pg_trgm, plperl]}\n", 3,
                 ["plperl, which Postgres 15 ships but postgres:15 does not have", "apt-get install postgresql-plperl-15",
                  "postgres:15 has: ", "pg_trgm"], id="the-image-lacks-it"),
])
def test_an_extension_that_cannot_be_on_the_list_is_one_message_and_nothing_runs(
    docker_client, tmp_path: Path, prod: str, code: int, phrases: list[str]  # type: ignore[no-untyped-def]
) -> None:
    project = projects.make_project(tmp_path / "p", {"local": "database: {version: '15'}\n", "prod": prod})
    result = projects.parity_cli(["run", "--profile", "prod"], cwd=project)
    assert result.returncode == code, result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr
    assert "fix:" in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert not parity_resources(docker_client, project)
