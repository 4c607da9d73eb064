"""database.roles against real servers and a real tool: a DML-only role that can create nothing
(Postgres 13, where PUBLIC may create in public by default, and 15), uses what it is granted, and
gets what the owner creates with default_privileges; and node-pg-migrate with node-postgres
(tests/integration/realapps/nodepg), whose migrations grant nothing, run by parity the way a
user runs it: serving as a DML role diverges, and `parity explain` confirms database.roles."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import errors

from parity.env.environment import Environment
from tests.conftest import parity_resources
from tests.integration import projects
from tests.integration.test_real_apps import NODEPG, Outcome, installed

SHAPES = {
    # Postgres 13: PUBLIC holds CREATE on public unless revoked; migrations as the superuser.
    "pg13": "database: {version: '13', superuser: false, roles: {app: dml, migrations: superuser}}\n",
    # Postgres 15: public is pg_database_owner's; migrations as the owner, default privileges on.
    "pg15": "database: {version: '15', superuser: false, roles: {app: dml, default_privileges: true}}\n",
    # The same server behind PgBouncer, which both roles go through.
    "pooled": "database: {version: '15', superuser: false, roles: {app: dml, default_privileges: true},"
              " pooler: {migrations: pooler}}\n",
}


@pytest.fixture(scope="module")
def server(docker_client, tmp_path_factory) -> Iterator[Callable[[str], Environment]]:  # type: ignore[no-untyped-def]
    """The environment of a shape, started at its first use and kept for the module."""
    yield from projects.environments(docker_client, tmp_path_factory, SHAPES)


def _connect(env: Environment, client: str) -> psycopg.Connection:
    assert env.database is not None
    return psycopg.connect(**env.database.connect_kwargs(client), autocommit=True)  # type: ignore[arg-type]


@pytest.mark.parametrize("shape", ["pg13", "pg15"])
def test_the_dml_role_cannot_create_a_table_in_public(server, shape: str) -> None:  # type: ignore[no-untyped-def]
    env = server(shape)
    with _connect(env, "app") as app:
        assert app.execute("SELECT current_user").fetchone() == ("app_dml",)
        with pytest.raises(errors.InsufficientPrivilege, match="permission denied for schema public"):
            app.execute(f"CREATE TABLE booted_{shape} (id int)")
        with pytest.raises(errors.InsufficientPrivilege, match="permission denied for database"):
            app.execute(f"CREATE SCHEMA own_{shape}")


@pytest.mark.parametrize("shape", ["pg13", "pg15"])
def test_the_dml_role_reads_and_writes_what_the_migrations_grant_and_nothing_else(server, shape: str) -> None:  # type: ignore[no-untyped-def]
    env = server(shape)
    with _connect(env, "migrations") as migrations:
        migrations.execute("CREATE TABLE granted (id serial PRIMARY KEY, title text)")
        migrations.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON granted TO app_dml")
        migrations.execute("GRANT USAGE ON SEQUENCE granted_id_seq TO app_dml")
        migrations.execute("CREATE TABLE forgotten (id int)")
        migrations.execute("REVOKE ALL ON forgotten FROM app_dml")  # pg15's default privileges gave it
    with _connect(env, "app") as app:
        row = app.execute("INSERT INTO granted (title) VALUES ('a') RETURNING id").fetchone()
        assert row is not None and row[0] > 0
        app.execute("UPDATE granted SET title = 'b'")
        assert app.execute("SELECT title FROM granted").fetchall() == [("b",)]
        app.execute("DELETE FROM granted")
        with pytest.raises(errors.InsufficientPrivilege, match="permission denied for table forgotten"):
            app.execute("SELECT * FROM forgotten")
        with pytest.raises(errors.InsufficientPrivilege, match="must be owner of table granted"):
            app.execute("ALTER TABLE granted ADD COLUMN extra int")


def test_with_default_privileges_the_dml_role_gets_every_new_table_and_sequence(server) -> None:  # type: ignore[no-untyped-def]
    env = server("pg15")
    with _connect(env, "migrations") as migrations:
        assert migrations.execute("SELECT current_user").fetchone() == ("app",)
        migrations.execute("CREATE TABLE later (id bigserial PRIMARY KEY, title text)")
        owner = migrations.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'later'").fetchone()
        assert owner == ("app",)
    with _connect(env, "app") as app:
        app.execute("INSERT INTO later (title) VALUES ('x')")
        assert app.execute("SELECT count(*) FROM later").fetchone() == (1,)


def test_without_default_privileges_what_the_superuser_migrates_is_nobody_elses(server) -> None:  # type: ignore[no-untyped-def]
    env = server("pg13")
    with _connect(env, "migrations") as migrations:
        assert migrations.execute("SELECT current_user").fetchone() == ("postgres",)
        migrations.execute("CREATE TABLE admin_made (id int)")
    with _connect(env, "app") as app, pytest.raises(errors.InsufficientPrivilege,
                                                    match="permission denied for table admin_made"):
        app.execute("SELECT * FROM admin_made")


def test_each_client_is_given_its_own_role_and_no_password_is_shared(server) -> None:  # type: ignore[no-untyped-def]
    db = server("pg15").database
    assert db is not None
    app, migrations = db.login("app"), db.login("migrations")
    assert (app.user, migrations.user) == ("app_dml", "app")
    assert len({app.password, migrations.password, db.admin_password}) == 3
    assert set(db.redact) >= {app.password, migrations.password}
    assert db.url("host").startswith("postgresql://app_dml:") and db.url("host", "migrations").startswith("postgresql://app:")


def test_both_roles_authenticate_through_the_pooler_as_themselves(server) -> None:  # type: ignore[no-untyped-def]
    db = server("pooled").database
    assert db is not None and db.pooler is not None
    for client, role in (("app", "app_dml"), ("migrations", "app")):
        url = db.url("host", client)
        assert f":{db.pooler.host_port}/" in url, client
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_user").fetchone() == (role,)


def test_a_restored_dump_belongs_to_the_migrations_role_and_reaches_dml_by_default_privileges(  # type: ignore[no-untyped-def]
    server, tmp_path: Path
) -> None:
    from parity.env.dump import restore_dump

    env = server("pooled")  # an environment with a network, which the restore job joins
    dump = tmp_path / "prod.sql"
    # What pg_dump writes for a table owned by production's own roles, which this server lacks.
    dump.write_text("CREATE TABLE restored (id integer PRIMARY KEY, title text);\n"
                    "ALTER TABLE public.restored OWNER TO prod_owner;\n"
                    "GRANT SELECT ON TABLE public.restored TO prod_rw;\n"
                    "INSERT INTO restored VALUES (1, 'from production');\n")
    assert env.database is not None and env.profile.database is not None
    restored = restore_dump(env.placement, env.database, env.profile.database, dump, data_only=False, timeout=120)
    assert restored.code == 0, restored.output
    with _connect(env, "app") as app:
        assert app.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'restored'").fetchone() == ("app",)
        assert app.execute("SELECT title FROM restored").fetchall() == [("from production",)]


# A real tool: node-pg-migrate migrates, node-postgres serves; their migrations grant nothing.
LOCAL = (NODEPG / "profiles" / "local.yaml").read_text()
PROFILES = {
    "local": LOCAL,
    # Production migrates as the owner and serves as a DML role, and nobody wrote a GRANT. (Only
    # roles differs from local: one pre-initialised cluster per role layout, shared by the runs.)
    "prod-dml": "extends: local\ndatabase: {roles: {app: dml}}\n",
    "prod-dml-granted": "extends: local\ndatabase: {roles: {app: dml, default_privileges: true}}\n",
    # The service migrates at boot (its smoke command runs node-pg-migrate, then the tests). It
    # prints its connection first, as a crashing service's log would: parity must mask it.
    "local-boot": LOCAL.split("migrations:")[0] + "smoke:\n  command: [sh, -c, 'echo \"pw=$PGPASSWORD url=$DATABASE_URL\";"
                  " npx --no-install node-pg-migrate up && node --test smoke/']\n",
    # Default privileges do not help here: the DML role may create nothing.
    "prod-boot": "extends: local-boot\ndatabase: {roles: {app: dml, default_privileges: true}}\n",
}


@pytest.fixture(scope="module")
def nodepg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The node service's project with these profiles (its own files copied, node_modules linked)."""
    installed(NODEPG / "node_modules" / ".installed")
    project = tmp_path_factory.mktemp("nodepg-roles") / "nodepg"
    shutil.copytree(NODEPG, project, ignore=shutil.ignore_patterns("node_modules", "profiles", "*.xml"))
    (project / "node_modules").symlink_to(NODEPG / "node_modules")
    (project / "profiles").mkdir()
    for name, text in PROFILES.items():
        (project / "profiles" / f"{name}.yaml").write_text(text)
    return project


def parity_run(project: Path, profile: str, tmp: Path, docker_client, *flags: str) -> Outcome:  # type: ignore[no-untyped-def]
    """`parity run --profile PROFILE` of this checkout on the node service; nothing left behind."""
    report = tmp / "report.json"
    result = projects.parity_cli(["run", "--profile", profile, "--json", str(report), *flags], cwd=project)
    outcome = Outcome(result.returncode, result.stdout + result.stderr,
                      json.loads(report.read_text()) if report.is_file() else {})
    assert outcome.report, f"no JSON report\n{outcome.explain()}"
    assert not parity_resources(docker_client, project), "the run left containers, networks or volumes behind"
    return outcome


def test_serving_as_a_dml_role_that_was_granted_nothing_diverges_and_explain_names_roles(  # type: ignore[no-untyped-def]
    docker_client, nodepg: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run = parity_run(nodepg, "prod-dml", tmp_path_factory.mktemp("run"), docker_client, "--explain")
    assert run.code == 1, run.explain()
    (divergence,) = run.report["divergences"]
    assert divergence["step"] == "smoke", divergence
    assert "permission denied for table notes" in divergence["detail"], divergence
    assert (divergence["cause"], divergence["cause_confidence"]) == ("database.roles", "confirmed"), divergence
    assert [(e["keys"], e["reproduced"]) for e in divergence["experiments"]] == [(["database.roles"], True)]
    # Each step says which role it connected as.
    steps = run.steps("prod-dml")
    assert steps["database"]["facts"]["roles"] == {"migrations": "app", "app": "app_dml", "default_privileges": False}
    assert (steps["migrations"]["facts"]["role"], steps["smoke"]["facts"]["role"]) == ("app", "app_dml")
    assert run.steps("local")["smoke"]["facts"]["role"] == "app"


def test_with_default_privileges_the_same_service_is_parity(  # type: ignore[no-untyped-def]
    docker_client, nodepg: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run = parity_run(nodepg, "prod-dml-granted", tmp_path_factory.mktemp("run"), docker_client)
    assert run.code == 0, run.explain()
    assert run.steps("prod-dml-granted")["smoke"]["facts"]["role"] == "app_dml"


def test_a_service_that_migrates_at_boot_cannot_as_a_dml_role(  # type: ignore[no-untyped-def]
    docker_client, nodepg: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run = parity_run(nodepg, "prod-boot", tmp_path_factory.mktemp("run"), docker_client, "--explain",
                     "--baseline", "local-boot")
    assert run.code == 1, run.explain()
    (divergence,) = run.report["divergences"]
    assert "permission denied for schema public" in divergence["detail"], divergence
    assert (divergence["cause"], divergence["cause_confidence"]) == ("database.roles", "confirmed"), divergence
    # The DML role's password was printed by the service: masked in the report and the output.
    said = json.dumps(run.report) + run.output
    assert "pw=***" in said and "app_dml:***@" in said, said[-3000:]


def test_up_prints_the_apps_url_and_the_migrations_own(project_dir: Path) -> None:
    (project_dir / "profiles" / "prod.yaml").write_text(
        "database: {version: '15', superuser: false, roles: {app: dml, default_privileges: true}}\n")
    try:
        up = projects.parity_cli(["up", "--profile", "prod", "--env"], cwd=project_dir)
        assert up.returncode == 0, up.stderr
        exports = dict(line.removeprefix("export ").split("=", 1) for line in up.stdout.splitlines()
                       if line.startswith("export "))
        app, migrations = (exports[key].strip("'\"") for key in ("DATABASE_URL", "DATABASE_MIGRATIONS_URL"))
        with psycopg.connect(migrations, autocommit=True) as owner:
            assert owner.execute("SELECT current_user").fetchone() == ("app",)
            owner.execute("CREATE TABLE counted (id serial PRIMARY KEY)")
            owner.execute("REVOKE USAGE, SELECT ON SEQUENCE counted_id_seq FROM app_dml")  # a grant forgotten
        with psycopg.connect(app, autocommit=True) as served:
            assert served.execute("SELECT current_user").fetchone() == ("app_dml",)
            with pytest.raises(errors.InsufficientPrivilege, match="permission denied for sequence counted_id_seq"):
                served.execute("INSERT INTO counted DEFAULT VALUES")
    finally:
        down = projects.parity_cli(["down", "--profile", "prod"], cwd=project_dir)
        assert down.returncode == 0, down.stderr
