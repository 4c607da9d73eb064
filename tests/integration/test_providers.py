"""A provider preset against a live server: the admin role is the provider's, not a superuser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from parity.env.environment import Environment
from parity.profile.models import DatabaseSpec
from parity.profile.providers import PROVIDERS, admin_role_sql
from parity.project import Project
from parity.run import RunOptions, run
from tests.conftest import parity_resources
from tests.integration import projects
from tests.integration.projects import make_project


@pytest.fixture(scope="module")
def rds(docker_client, tmp_path_factory) -> Iterator[Environment]:  # type: ignore[no-untyped-def]
    yield from projects.started_environment(docker_client, tmp_path_factory, "rds",
                                            "database: {provider: rds, version: '17', instance: db.t4g.micro}\n")


def _connect(env: Environment, **overrides: object) -> psycopg.Connection:
    assert env.database is not None
    return psycopg.connect(**(env.database.connect_kwargs() | overrides))  # type: ignore[arg-type]


def test_the_rds_admin_role_is_a_member_of_rds_superuser_and_no_superuser(rds: Environment) -> None:
    with _connect(rds) as conn:
        row = conn.execute("SELECT rolsuper, rolcreatedb, rolcreaterole, pg_has_role('rds_superuser', 'MEMBER'),"
                           " current_setting('max_connections'), current_setting('ssl') FROM pg_roles"
                           " WHERE rolname = current_user").fetchone()
    assert row == (False, True, True, True, "112", "on")  # LEAST(1 GiB / 9531392, 5000) = 112
    assert rds.database is not None and rds.database.tls


def test_the_rds_admin_role_may_end_another_roles_session_and_see_its_query(rds: Environment) -> None:
    with _connect(rds, autocommit=True) as conn:
        conn.execute("CREATE ROLE tenant LOGIN PASSWORD 'tenant-password'")  # it has CREATEROLE
        with _connect(rds, user="tenant", password="tenant-password", autocommit=True) as other:
            pid = other.execute("SELECT pg_backend_pid()").fetchone()
            seen = conn.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", pid).fetchone()
            ended = conn.execute("SELECT pg_terminate_backend(%s)", pid).fetchone()
        conn.execute("DROP ROLE tenant")
    assert seen == ("SELECT pg_backend_pid()",)  # pg_monitor: another role's query, not <insufficient privilege>
    assert ended == (True,)  # pg_signal_backend


@pytest.mark.parametrize("statement", [
    "ALTER SYSTEM SET work_mem = '64MB'",
    "COPY (SELECT 1) TO PROGRAM 'true'",
    "SELECT pg_read_file('/etc/passwd')",
])
def test_the_rds_admin_role_cannot_do_what_only_a_superuser_may(rds: Environment, statement: str) -> None:
    with _connect(rds, autocommit=True) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


def test_every_providers_role_layout_is_valid_sql(rds: Environment) -> None:
    assert rds.database is not None and rds.database.admin_password
    with _connect(rds, user="postgres", password=rds.database.admin_password, autocommit=True) as admin:
        for name in PROVIDERS:
            if name in ("rds", "vanilla"):
                continue
            owner = f"owner_{name}"
            admin.execute(f"CREATE ROLE {owner} LOGIN")
            admin.execute(admin_role_sql(DatabaseSpec(provider=name, version="17"), owner))  # type: ignore[arg-type]
        members = admin.execute(
            "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid"
            " JOIN pg_roles o ON o.oid = m.member WHERE o.rolname LIKE 'owner_%' ORDER BY 1").fetchall()
        timeouts = admin.execute("SELECT rolname, rolconfig FROM pg_roles WHERE rolname IN ('anon', 'authenticated')"
                                 " ORDER BY 1").fetchall()
    assert [m for (m,) in members] == ["anon", "authenticated", "azure_pg_admin", "cloudsqlsuperuser",
                                       "neon_superuser", "service_role"]
    assert timeouts == [("anon", ["statement_timeout=3s"]), ("authenticated", ["statement_timeout=8s"])]


NAMES = ["banana", "Apple", "cherry", "Zebra"]
LISTING = ("migrations: {command: [python, scripts/migrate.py, sql/001_names.sql], run_in: host}\n"
           "smoke: {command: [python, scripts/listing_order.py, " + ", ".join(sorted(NAMES)) + "]}\n")


def test_explain_names_the_key_inside_the_preset_not_the_provider(docker_client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A listing written against a byte-ordered laptop; RDS's preset brings en_US.UTF-8 (and TLS,
    # a non-superuser role, its extensions): explain must single out the locale.
    sql = {"001_names.sql": "CREATE TABLE names (name text NOT NULL);\n"
                            "INSERT INTO names VALUES " + ", ".join(f"('{n}')" for n in NAMES) + ";\n"}
    project = make_project(tmp_path / "p", {"local": "database: {version: '15', locale: C.UTF-8}\n" + LISTING,
                                            "prod": "database: {version: '15', provider: rds}\n" + LISTING}, sql)
    result = run(Project.at(project), RunOptions(target="prod", explain=True)).result
    assert result.verdict == "divergent", result.divergences
    (divergence,) = result.divergences
    assert (divergence.step, divergence.cause, divergence.cause_confidence) == ("smoke", "database.locale", "confirmed")
    # The experiment that reproduced it flipped the locale alone, not the provider that brought it
    # (the heuristic suspects the locale from the measured collation, so explain tries it first).
    assert [e.keys for e in divergence.experiments if e.reproduced] == [["database.locale"]]
    assert not any(e.reproduced for e in divergence.experiments if "database.provider" in e.keys)
    assert not parity_resources(docker_client, tmp_path)
