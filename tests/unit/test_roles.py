"""database.superuser and database.roles: which roles a server has, who connects as which, the
SQL that makes them, and the URLs each client is given — without an engine."""

from __future__ import annotations

import io
import tarfile
from typing import Any

import pytest

from parity.causes.keys import POSTGRES_ONLY, apply_group, differing_groups, revert_group
from parity.env import pgtemplate
from parity.env.database import Cluster, Database, Login, PoolerEndpoint, configure_postgres, initdb
from parity.env.roles import Passwords, RoleLayout, init_sql, role_layout
from parity.profile.models import DatabaseSpec, Profile

PASSWORDS = Passwords("owner-secret", "admin-secret", "dml-secret")
TEMPLATE = Cluster("parity-pgtemplate:0123456789abcdef")
URL = "postgresql://{user}:{password}@{host}:{port}/{name}"


def _spec(superuser: bool, roles: dict[str, Any] | None = None) -> DatabaseSpec:
    return DatabaseSpec.model_validate({"superuser": superuser, "roles": roles})


@pytest.mark.parametrize(("superuser", "roles", "layout"), [
    (True, None, RoleLayout(admin="app", owner="app", dml=None, app="app", migrations="app")),
    (False, None, RoleLayout(admin="postgres", owner="app", dml=None, app="app", migrations="app")),
    (False, {}, RoleLayout(admin="postgres", owner="app", dml="app_dml", app="app", migrations="app")),
    (False, {"app": "dml"}, RoleLayout(admin="postgres", owner="app", dml="app_dml", app="app_dml", migrations="app")),
    (False, {"app": "dml", "migrations": "superuser"},
     RoleLayout(admin="postgres", owner="app", dml="app_dml", app="app_dml", migrations="postgres")),
    # superuser: true with roles: the owner is the server's superuser, and the app may still be dml.
    (True, {"app": "dml"}, RoleLayout(admin="app", owner="app", dml="app_dml", app="app_dml", migrations="app")),
    (True, {"migrations": "superuser"}, RoleLayout(admin="app", owner="app", dml="app_dml", app="app", migrations="app")),
])
def test_each_client_connects_as_the_role_the_profile_names(superuser: bool, roles: dict[str, Any] | None,
                                                            layout: RoleLayout) -> None:
    assert role_layout(_spec(superuser, roles)) == layout


def test_without_roles_the_init_script_is_todays_owner_role_and_nothing_more() -> None:
    assert init_sql(_spec(True), PASSWORDS) == ""
    script = init_sql(_spec(False), PASSWORDS)
    assert "CREATE ROLE app LOGIN NOSUPERUSER" in script and "PASSWORD 'owner-secret'" in script
    assert "app_dml" not in script and "REVOKE" not in script


def test_a_dml_role_may_use_public_but_nobody_but_the_owner_may_create_in_it() -> None:
    script = init_sql(_spec(False, {"app": "dml"}), PASSWORDS)
    lines = script.splitlines()
    assert "CREATE ROLE app_dml LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'dml-secret';" in lines
    # Before Postgres 15, PUBLIC may create in public: revoked whatever the major.
    assert "REVOKE CREATE ON SCHEMA public FROM PUBLIC;" in lines
    assert "GRANT USAGE ON SCHEMA public TO app_dml;" in lines
    assert not any(line.startswith("GRANT CREATE") or "ON TABLES" in line for line in lines)


def test_default_privileges_cover_what_the_owner_and_a_superuser_migrating_create() -> None:
    owner = init_sql(_spec(False, {"app": "dml", "default_privileges": True}), PASSWORDS).splitlines()
    assert [line for line in owner if line.startswith("ALTER DEFAULT PRIVILEGES")] == [
        "ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO app_dml;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE app IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO app_dml;",
    ]
    both = init_sql(_spec(False, {"migrations": "superuser", "default_privileges": True}), PASSWORDS)
    assert "FOR ROLE app IN SCHEMA" in both and "FOR ROLE postgres IN SCHEMA" in both


def test_passwords_are_random_per_role_and_a_dml_one_only_with_roles() -> None:
    plain = Passwords.random(_spec(False))
    assert plain.dml == "" and plain.app != plain.admin
    split = Passwords.random(_spec(False, {"app": "dml"}))
    assert len({split.app, split.admin, split.dml}) == 3
    assert Passwords.random(_spec(False, {"app": "dml"})).dml != split.dml


def test_a_template_start_gives_every_login_role_its_password_and_no_other() -> None:
    setup = configure_postgres(_spec(False, {"app": "dml"}), PASSWORDS, [], TEMPLATE)
    roles = setup.environment[pgtemplate.ROLES_VAR].splitlines()
    assert roles == ["SET password_encryption = 'scram-sha-256'", "ALTER ROLE app PASSWORD 'owner-secret'",
                     "ALTER ROLE postgres PASSWORD 'admin-secret'", "ALTER ROLE app_dml PASSWORD 'dml-secret'"]
    superuser = configure_postgres(_spec(True), Passwords("s", "s"), [], TEMPLATE)
    assert superuser.environment[pgtemplate.ROLES_VAR].splitlines()[1:] == ["ALTER ROLE app PASSWORD 's'"]


def test_a_fresh_start_with_roles_runs_the_roles_script_with_the_real_passwords() -> None:
    setup = configure_postgres(_spec(True, {"app": "dml"}), Passwords("s", "s", "d"), [])
    assert setup.environment["POSTGRES_USER"] == "app"
    with tarfile.open(fileobj=io.BytesIO(setup.uploads["/"])) as tar:
        member = tar.extractfile("docker-entrypoint-initdb.d/50-parity-app-role.sql")
        assert member is not None
        script = member.read().decode()
    assert "CREATE ROLE app_dml" in script and "PASSWORD 'd'" in script and pgtemplate.PLACEHOLDER not in script


def test_templates_differ_by_role_layout_and_not_by_when_their_scripts_were_packed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from parity.env import database
    from parity.env.database import PLACEHOLDERS

    def digest(spec: DatabaseSpec, now: float) -> str:
        monkeypatch.setattr(database.time, "time", lambda: now)
        return pgtemplate._scripts(initdb(spec, PLACEHOLDERS)[1])

    owner = _spec(False, {"app": "owner"})
    assert digest(owner, 1.0) == digest(owner, 2_000_000.0)
    assert digest(owner, 1.0) != digest(_spec(False, {"app": "owner", "default_privileges": True}), 1.0)
    assert digest(owner, 1.0) != digest(_spec(False), 1.0)


def _database(migrations_login: Login | None, pooled_migrations: bool = False) -> Database:
    pooler = PoolerEndpoint(container_id="c", host_port=7001, port=6432, mode="transaction",
                            migrations=pooled_migrations)
    return Database(engine="postgres", name="app", user="app_dml", password="dml-pw", url_template=URL,
                    host_port=7000, pooler=pooler, migrations_login=migrations_login)


def test_the_app_and_the_migrations_get_their_own_roles_url_and_database_env() -> None:
    db = _database(Login("app", "owner-pw"))
    assert db.url("network") == "postgresql://app_dml:dml-pw@pooler:6432/app"
    assert db.url("network", "migrations") == "postgresql://app:owner-pw@db:5432/app"
    assert db.url("host", direct=True) == "postgresql://app_dml:dml-pw@127.0.0.1:7000/app"
    templates = {"PGUSER": "{user}", "PGPASSWORD": "{password}"}
    assert db.variables(templates, "host") == {"PGUSER": "app_dml", "PGPASSWORD": "dml-pw"}
    assert db.variables(templates, "network", "migrations") == {"PGUSER": "app", "PGPASSWORD": "owner-pw"}
    assert (db.connect_kwargs("migrations")["user"], db.connect_kwargs()["user"]) == ("app", "app_dml")
    through = _database(Login("app", "owner-pw"), pooled_migrations=True)
    assert through.url("host", "migrations") == "postgresql://app:owner-pw@127.0.0.1:7001/app"


def test_without_a_migrations_login_both_clients_are_the_app_role() -> None:
    db = _database(None)
    assert db.login("migrations") == db.login("app") == Login("app_dml", "dml-pw")


def test_roles_is_a_postgres_cause_key_that_flips_alone_onto_a_superuser_baseline() -> None:
    assert "database.roles" in POSTGRES_ONLY
    local = Profile.model_validate({"database": {"version": "15"}})
    prod = Profile.model_validate({"database": {"version": "15", "superuser": False, "roles": {"app": "dml"}}})
    groups = differing_groups(local, prod)
    assert [g.keys for g in groups] == [("database.superuser",), ("database.roles",)]
    applied = apply_group(local, prod, groups[1])
    assert applied.profile is not None and applied.profile.database is not None
    assert role_layout(applied.profile.database).app == "app_dml"
    assert applied.profile.database.superuser is True
    reverted = revert_group(local, prod, groups[1])
    assert reverted.profile is not None and reverted.profile.database is not None
    assert reverted.profile.database.roles is None
