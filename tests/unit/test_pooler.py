"""database.pooler without Docker: the profile keys, PgBouncer's configuration, who connects
through the pooler, and the drivers' pooler errors as causes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from parity.causes.heuristic import suspect
from parity.env.database import Database, PoolerEndpoint
from parity.env.environment import needs_network
from parity.env.pooler import auth_type, pgbouncer_ini, userlist
from parity.evidence import Evidence
from parity.profile.models import DatabaseSpec, Profile, pgbouncer_version

SCRAM = "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy"


def database(**pooler: Any) -> DatabaseSpec:
    return DatabaseSpec.model_validate({"version": "17", "pooler": pooler})


def test_the_pooler_defaults_to_transaction_mode_and_direct_migrations() -> None:
    spec = database().pooler
    assert spec is not None
    assert (spec.kind, spec.mode, spec.pool_size, spec.migrations) == ("pgbouncer", "transaction", 20, "direct")
    assert spec.max_prepared_statements is None and spec.image == "edoburu/pgbouncer:v1.24.1-p1"


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValidationError, match="'session', 'transaction' or 'statement'"):
        database(mode="pipeline")


def test_max_prepared_statements_on_a_pgbouncer_before_1_21_is_refused_with_the_fix() -> None:
    with pytest.raises(ValidationError, match=r"needs PgBouncer 1\.21 or later, and bitnami/pgbouncer:1\.20\.1 is 1\.20"):
        database(image="bitnami/pgbouncer:1.20.1", max_prepared_statements=100)
    # Without the key an older PgBouncer is fine, and so is a tag that names no version.
    assert database(image="bitnami/pgbouncer:1.20.1").pooler is not None
    assert database(image="registry:5000/pgbouncer", max_prepared_statements=0).pooler is not None


def test_the_pgbouncer_release_is_read_from_the_tag_only() -> None:
    assert pgbouncer_version("edoburu/pgbouncer:v1.24.1-p1") == (1, 24)
    assert pgbouncer_version("edoburu/pgbouncer:1.18.0-p0") == (1, 18)
    assert pgbouncer_version("registry:5000/pgbouncer") is None  # a port is not a tag
    assert pgbouncer_version("pgbouncer/pgbouncer:latest") is None


def test_a_pooler_in_front_of_sqlite_is_refused() -> None:
    with pytest.raises(ValidationError, match="pooler stands in front of a Postgres server"):
        DatabaseSpec.model_validate({"engine": "sqlite", "pooler": {}})


def test_a_pooler_makes_the_environment_create_its_network() -> None:
    assert needs_network(Profile.model_validate({"database": {"pooler": {}}}))
    assert not needs_network(Profile.model_validate({"database": {}}))


def test_pgbouncer_is_configured_with_the_profiles_mode_size_and_prepared_statements() -> None:
    spec = database(mode="session", pool_size=5, max_prepared_statements=100)
    assert spec.pooler is not None
    ini = pgbouncer_ini(spec.pooler, spec, SCRAM).splitlines()
    for line in ("* = host=db port=5432", "pool_mode = session", "default_pool_size = 5",
                 "max_prepared_statements = 100", "auth_type = scram-sha-256", "client_tls_sslmode = disable",
                 "server_tls_sslmode = disable"):
        assert line in ini
    unset = database()
    assert unset.pooler is not None
    assert not any(line.startswith("max_prepared_statements") for line in pgbouncer_ini(unset.pooler, unset, SCRAM).splitlines())


def test_tls_is_required_on_both_legs_when_the_server_requires_it() -> None:
    spec = DatabaseSpec.model_validate({"version": "17", "ssl": "required", "pooler": {}})
    assert spec.pooler is not None
    ini = pgbouncer_ini(spec.pooler, spec, SCRAM).splitlines()
    assert "client_tls_sslmode = require" in ini and "server_tls_sslmode = require" in ini
    assert "client_tls_key_file = /etc/pgbouncer/server.key" in ini


def test_clients_authenticate_the_way_the_server_stores_the_password() -> None:
    assert auth_type(SCRAM) == "scram-sha-256"
    assert auth_type("md5" + "0" * 32) == "md5"  # Postgres 13's default password_encryption
    assert userlist('we"ird', SCRAM) == f'"we""ird" "{SCRAM}"\n'


def _database(migrations: bool) -> Database:
    pooler = PoolerEndpoint(container_id="c", host_port=7001, port=6432, mode="transaction", migrations=migrations)
    return Database(engine="postgres", name="app", user="app", password="pw", host_port=7000,
                    url_template="postgresql://{user}:{password}@{host}:{port}/{name}", pooler=pooler)


def test_the_app_goes_through_the_pooler_and_migrations_only_when_asked() -> None:
    direct = _database(migrations=False)
    assert direct.url("network") == "postgresql://app:pw@pooler:6432/app"
    assert direct.url("host") == "postgresql://app:pw@127.0.0.1:7001/app"
    assert direct.url("network", "migrations") == "postgresql://app:pw@db:5432/app"
    assert direct.variables({"PGHOST": "{host}", "PGPORT": "{port}"}, "network") == {"PGHOST": "pooler", "PGPORT": "6432"}
    assert direct.variables({"PGPORT": "{port}"}, "host", "migrations") == {"PGPORT": "7000"}
    assert _database(migrations=True).url("network", "migrations") == "postgresql://app:pw@pooler:6432/app"
    # parity's own connections (readiness, schema snapshot, measurements) stay direct.
    assert direct.connect_kwargs()["port"] == 7000


POOLED = Profile.model_validate({"database": {"version": "17", "pooler": {"max_prepared_statements": 0}}})
PLAIN = Profile.model_validate({"database": {"version": "17"}})

# What each driver prints when a transaction pooler moves it to another server connection
# (wordings from the drivers' and PgBouncer's issue trackers).
POOLER_ERRORS = [
    pytest.param('asyncpg.exceptions.InvalidSQLStatementNameError: prepared statement "__asyncpg_stmt_2__" does '
                 'not exist\nHINT:  \nNOTE: pgbouncer with pool_mode set to "transaction" or', id="asyncpg-missing"),
    pytest.param('asyncpg.exceptions.DuplicatePreparedStatementError: prepared statement "__asyncpg_stmt_1__" '
                 "already exists", id="asyncpg-duplicate"),
    pytest.param('psycopg.errors.InvalidSqlStatementName: prepared statement "_pg3_0" does not exist', id="psycopg3"),
    pytest.param('ERROR: prepared statement "stmtcache_5f8e2a" does not exist (SQLSTATE 26000)', id="pgx-missing"),
    pytest.param('ERROR: prepared statement "lrupsc_1_6" already exists (SQLSTATE 42P05)', id="pgx-duplicate"),
    pytest.param("error: prepared statement \"get-user\" does not exist\n    at Parser.parseErrorMessage "
                 "(node_modules/pg-protocol/dist/parser.js:283:98) {\n  code: '26000',", id="node-postgres"),
    pytest.param('org.postgresql.util.PSQLException: ERROR: prepared statement "S_1" does not exist',
                 id="jdbc"),
    pytest.param("prepared statement name is already in use (SQLSTATE 08P01)", id="pgbouncer-itself"),
]


@pytest.mark.parametrize("text", POOLER_ERRORS)
def test_the_drivers_pooler_errors_point_at_the_pooler(text: str) -> None:
    found = suspect(Evidence(side="target", step="smoke", text=text), PLAIN, POOLED)
    assert found is not None and found.key == "database.pooler", found


def test_a_pooler_error_names_no_key_when_both_sides_have_the_same_pooler() -> None:
    text = 'psycopg.errors.InvalidSqlStatementName: prepared statement "_pg3_0" does not exist'
    assert suspect(Evidence(side="target", step="smoke", text=text), POOLED, POOLED) is None


def test_a_missing_table_is_not_a_pooler_matter() -> None:
    text = 'psycopg.errors.UndefinedTable: relation "notes" does not exist'
    found = suspect(Evidence(side="target", step="smoke", text=text), PLAIN, POOLED)
    assert found is None
