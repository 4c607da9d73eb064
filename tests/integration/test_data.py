"""Production-sized data before the migrations: rows generated in the server, a seed command, a
pg_dump restored; at a revision; filled clusters cached."""

from __future__ import annotations

import contextlib
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from parity.data.fill import fill_rows, prepare_to_cache, save_filled_cluster
from parity.data.rows import CannotGenerate
from parity.engine import clones
from parity.env import pgtemplate
from parity.env.environment import Environment
from parity.profile.loader import load_profile
from parity.project import Project
from parity.run import RunOptions, run
from tests.conftest import write_profile
from tests.integration.projects import make_project
from tests.integration.rehearsal import (
    Rev,
    alembic_project,
    postgres_environment,
    removing_filled_images,
)

SHOP = """
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
CREATE DOMAIN positive_money AS numeric(10, 2) CHECK (VALUE >= 0);
CREATE TABLE customers (
    id serial PRIMARY KEY,
    email varchar(64) NOT NULL,
    name text NOT NULL,
    country char(2) NOT NULL,
    vip boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customers_email ON customers (lower(email));
CREATE TABLE products (sku uuid PRIMARY KEY, title varchar(200) NOT NULL, price positive_money NOT NULL);
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers (id),
    status order_status NOT NULL,
    kind varchar(10) NOT NULL DEFAULT 'web' CHECK (kind IN ('web', 'shop')),
    placed_on date NOT NULL,
    meta jsonb,
    tags text[],
    client inet,
    gift_for int REFERENCES customers (id)
);
CREATE TABLE order_lines (
    order_id bigint NOT NULL REFERENCES orders (id),
    sku uuid NOT NULL REFERENCES products (sku),
    quantity smallint NOT NULL,
    PRIMARY KEY (order_id, sku)
);
"""


def test_generated_rows_keep_types_constraints_and_references(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    profile = "database: {version: '15', ssl: required, superuser: false}\n"
    with postgres_environment(docker_client, tmp_path, profile) as env:
        assert env.database
        with psycopg.connect(**env.database.connect_kwargs()) as conn:  # type: ignore[arg-type]
            conn.execute(SHOP)
        # Listed children first: parents are filled before them whatever the order asked.
        done = fill_rows(env.database, {"order_lines": 30000, "orders": 20000, "products": 40,
                                        "customers": 3000})
        order = list(done)
        assert order.index("customers") < order.index("orders") < order.index("order_lines")
        assert order.index("products") < order.index("order_lines")
        with psycopg.connect(**env.database.connect_kwargs()) as conn:  # type: ignore[arg-type]
            def one(query: str) -> object:
                row = conn.execute(query).fetchone()
                return row[0] if row else None

            counts = {t: one(f"SELECT count(*) FROM {t}") for t in done}
            assert counts == {"customers": 3000, "products": 40, "orders": 20000, "order_lines": 30000}
            # Foreign-key triggers did not run (replica mode): the references are valid by construction.
            assert one("SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id "
                       "WHERE c.id IS NULL") == 0
            assert one("SELECT count(*) FROM order_lines l LEFT JOIN orders o ON o.id = l.order_id "
                       "WHERE o.id IS NULL") == 0
            assert one("SELECT count(DISTINCT customer_id) FROM orders") == 3000  # spread over every parent
            assert one("SELECT count(DISTINCT (order_id, sku)) FROM order_lines") == 30000
            assert one("SELECT count(*) FROM orders WHERE kind <> 'web'") == 0  # CHECKed: its default
            assert one("SELECT count(DISTINCT status) FROM orders") == 3
            assert one("SELECT count(*) FROM orders WHERE gift_for IS NULL") == 0  # nullable, still filled
            assert one("SELECT count(*) FROM orders WHERE meta IS NULL OR tags IS NULL OR client IS NULL") == 0
            assert one("SELECT max(length(email)) FROM customers") <= 64  # type: ignore[operator]
            assert one("SELECT count(DISTINCT lower(email)) FROM customers") == 3000
            # serial and identity keys numbered 1..N, their sequences continue after them.
            assert conn.execute("SELECT min(id), max(id), count(DISTINCT id) FROM orders").fetchone() == (1, 20000, 20000)
            assert one("SELECT nextval('orders_id_seq')") == 20001
            assert one("SELECT nextval(pg_get_serial_sequence('customers', 'id'))") == 3001
            # Vacuumed and analysed as a long-lived table is.
            assert one("SELECT n_live_tup > 0 AND last_analyze IS NOT NULL FROM pg_stat_user_tables "
                       "WHERE relname = 'orders'")


def test_a_second_fill_of_a_table_continues_after_its_rows(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    """Unique text, uuid and expression keys too (as data.extrapolate's growing samples fill): the
    second fill's values follow the first's instead of repeating them."""
    with postgres_environment(docker_client, tmp_path, "database: {version: '15'}\n") as env:
        assert env.database
        with psycopg.connect(**env.database.connect_kwargs()) as conn:  # type: ignore[arg-type]
            conn.execute(SHOP)
        fill_rows(env.database, {"customers": 1000, "products": 30})
        fill_rows(env.database, {"customers": 1500, "products": 20})
        with psycopg.connect(**env.database.connect_kwargs()) as conn:  # type: ignore[arg-type]
            assert conn.execute("SELECT count(*), count(DISTINCT lower(email)) FROM customers").fetchone() == (2500, 2500)
            assert conn.execute("SELECT count(*), count(DISTINCT sku) FROM products").fetchone() == (50, 50)


def test_the_fill_runs_without_fsync_and_puts_the_servers_own_settings_back(  # type: ignore[no-untyped-def]
        docker_client, tmp_path: Path, no_leaks: None) -> None:
    """fsync and full_page_writes are off only while the rows are generated (seen by a new session
    at the fill's progress messages); a postgresql.auto.conf line the cluster had is put back."""
    with postgres_environment(docker_client, tmp_path, "database: {version: '15'}\n") as env:
        db = env.database
        assert db
        with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute(SHOP)
            conn.execute("ALTER SYSTEM SET full_page_writes = on")  # a line of its own, to be kept

        def settings() -> tuple[object, ...]:
            with psycopg.connect(**db.admin_connect_kwargs()) as conn:  # type: ignore[arg-type]
                row = conn.execute("SELECT current_setting('fsync'), current_setting('full_page_writes')").fetchone()
                return tuple(row or ())

        during: list[tuple[object, ...]] = []
        fill_rows(db, {"customers": 2000}, say=lambda _message: during.append(settings()))
        assert during and set(during) == {("off", "off")}, during
        assert settings() == ("on", "on")
        with psycopg.connect(**db.admin_connect_kwargs()) as conn:  # type: ignore[arg-type]
            kept = conn.execute("SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%auto.conf' "
                                "ORDER BY name").fetchall()
        assert kept == [("full_page_writes", "on")]


# Beside SHOP: the kinds of index and key a load drops and re-creates (deferrable, partial,
# expression, INCLUDE, a foreign key from a table not filled onto a filled one's key), and ones it
# must leave in place (a commented index, a CLUSTER mark).
KEYS = """
ALTER TABLE customers ADD CONSTRAINT customers_name_country UNIQUE (name, email) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX orders_recent ON orders (placed_on DESC) INCLUDE (status) WHERE kind = 'web';
CREATE INDEX orders_meta ON orders ((meta ->> 'n'));
CREATE INDEX order_lines_sku ON order_lines (sku);
COMMENT ON INDEX order_lines_sku IS 'kept during the load';
CLUSTER order_lines USING order_lines_pkey;
CREATE TABLE reviews (id serial PRIMARY KEY, sku uuid REFERENCES products (sku) ON DELETE CASCADE, customer_id int);
ALTER TABLE reviews ADD CONSTRAINT reviews_customer FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
CREATE TABLE places (id serial PRIMARY KEY, at point NOT NULL);
"""
CATALOG = """
SELECT 'constraint', c.conrelid::regclass::text, c.conname,
       concat_ws(' ', pg_get_constraintdef(c.oid), c.convalidated, c.condeferrable, c.condeferred,
                 obj_description(c.oid, 'pg_constraint'))
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'
UNION ALL
SELECT 'index', i.indrelid::regclass::text, x.relname,
       concat_ws(' ', pg_get_indexdef(i.indexrelid), i.indisunique, i.indisprimary, i.indisclustered, i.indisvalid,
                 i.indimmediate, obj_description(i.indexrelid, 'pg_class'))
FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_namespace n ON n.oid = x.relnamespace
WHERE n.nspname = 'public'
ORDER BY 1, 2, 3
"""


@pytest.mark.parametrize("version", ["15", "18"])
def test_indexes_and_constraints_built_after_the_load_are_the_ones_the_schema_had(  # type: ignore[no-untyped-def]
        docker_client, tmp_path: Path, no_leaks: None, version: str) -> None:
    with postgres_environment(docker_client, tmp_path, f"database: {{version: '{version}'}}\n") as env:
        assert env.database
        with psycopg.connect(**env.database.connect_kwargs()) as conn:  # type: ignore[arg-type]
            conn.execute(SHOP)
            conn.execute(KEYS)
            # Rows already there, one numbered by the sequence, one with an explicit id beyond it.
            conn.execute("INSERT INTO customers (email, name, country) VALUES ('a@b', 'a', 'de')")
            conn.execute("INSERT INTO customers (id, email, name, country) VALUES (5000, 'c@d', 'c', 'de')")
            before = conn.execute(CATALOG).fetchall()
            oids = dict(conn.execute("SELECT relname, oid FROM pg_class WHERE relkind = 'i'").fetchall())
        # A fill that fails once the keys are dropped puts them back.
        with pytest.raises(CannotGenerate, match="point"):
            fill_rows(env.database, {"customers": 10, "places": 10})
        with psycopg.connect(**env.database.connect_kwargs()) as conn:  # type: ignore[arg-type]
            assert conn.execute(CATALOG).fetchall() == before
        fill_rows(env.database, {"customers": 2000, "products": 30, "orders": 5000, "order_lines": 8000})
        with psycopg.connect(**env.database.connect_kwargs()) as conn:  # type: ignore[arg-type]
            assert conn.execute(CATALOG).fetchall() == before
            # The fill numbers its rows after the largest id there was, and the sequence after them.
            assert conn.execute("SELECT count(*), max(id), nextval('customers_id_seq') FROM customers").fetchone() \
                == (2002, 7000, 7001)
            rebuilt = dict(conn.execute("SELECT relname, oid FROM pg_class WHERE relkind = 'i'").fetchall())
            # Re-created (a new index under the same name), but what must stay in place did.
            assert {name for name in oids if rebuilt[name] != oids[name]} == {
                "customers_pkey", "customers_email", "customers_name_country", "products_pkey", "orders_pkey",
                "orders_recent", "orders_meta", "places_pkey"}  # places: put back by the failed fill
            for duplicate in ("INSERT INTO customers (id, email, name, country) SELECT id, 'x' || id, 'n', 'de' "
                              "FROM customers LIMIT 1",
                              "INSERT INTO customers (email, name, country) SELECT upper(email), 'n', 'de' "
                              "FROM customers LIMIT 1",
                              "INSERT INTO order_lines SELECT * FROM order_lines LIMIT 1"):
                with pytest.raises(psycopg.errors.UniqueViolation), conn.transaction():
                    conn.execute(duplicate.encode())
            with pytest.raises(psycopg.errors.ForeignKeyViolation), conn.transaction():
                conn.execute("INSERT INTO reviews (sku) VALUES ('00000000-0000-0000-0000-000000000000')")
            with pytest.raises(psycopg.errors.ForeignKeyViolation), conn.transaction():
                conn.execute("DELETE FROM customers WHERE id IN (SELECT customer_id FROM orders)")


NONCE_DOC = "shop {nonce}"


def _shop_project(root: Path, data: str, nonce: str) -> Path:
    revisions = [
        Rev("0001", NONCE_DOC.format(nonce=nonce),
            "CREATE TABLE notes (id serial PRIMARY KEY, title varchar(200) NOT NULL, body text NOT NULL)",
            "DROP TABLE notes"),
        Rev("0002", "index titles", "CREATE INDEX notes_title ON notes (title)", "DROP INDEX notes_title"),
    ]
    return alembic_project(root, revisions, {
        "local": "database: {version: '17'}\n",
        "prod": f"database: {{version: '15', ssl: required, superuser: false}}\n{data}",
    })


def test_data_at_a_revision_fills_there_then_the_rest_is_applied_and_the_next_run_starts_from_the_cache(
    docker_client, tmp_path: Path, no_leaks: None,  # type: ignore[no-untyped-def]
) -> None:
    project = Project.at(_shop_project(tmp_path, "data: {at: '0001', rows: {notes: 20000}}\n", secrets.token_hex(4)))
    with removing_filled_images(docker_client):
        first = run(project, RunOptions(target="prod")).result
        second = run(project, RunOptions(target="prod")).result
        # The filled image keeps no password: the roles' commands (with them) are cleared.
        image = docker_client.images.get(first.profiles["prod"].steps["data"].facts["image"])
        env = dict(item.split("=", 1) for item in image.attrs["Config"]["Env"])
        assert env[pgtemplate.ROLES_VAR] == "" and env["POSTGRES_PASSWORD"] == pgtemplate.PLACEHOLDER
    for result in (first, second):
        assert result.verdict == "parity", result.divergences
        data, migrations = (result.profiles["prod"].steps[s] for s in ("data", "migrations"))
        assert data.status == "ok" and data.facts["at"] == "0001"
        # 0001 is where production is: only 0002 is the migration under test.
        assert [(r.id, r.status) for r in migrations.revisions] == [("0002", "ok")]
        assert migrations.schema_snapshot and "notes_title" in str(migrations.schema_snapshot["tables"]["notes"])
        assert result.profiles["local"].steps["data"].status == "skipped"  # no data section
    assert first.profiles["prod"].steps["data"].facts["cached"] is False
    assert first.profiles["prod"].steps["data"].facts["rows"]["notes"]["rows"] == 20000
    assert second.profiles["prod"].steps["data"].facts["cached"] is True
    assert second.profiles["prod"].steps["data"].facts["image"] == first.profiles["prod"].steps["data"].facts["image"]
    assert second.profiles["prod"].steps["data"].facts["database_bytes"] > 2_000_000


def _dump(env: Environment, fmt: str) -> bytes:
    assert env.database and env.database.container_id
    command = ["docker", "exec", env.database.container_id, "pg_dump", "-U", "app", "-d", "app", f"-F{fmt}"]
    return subprocess.run(command, check=True, capture_output=True).stdout


@pytest.mark.parametrize("fmt", ["c", "p"])
def test_a_pg_dump_is_restored_and_the_migrations_continue_from_the_revision_it_holds(
    docker_client, tmp_path: Path, fmt: str, no_leaks: None,  # type: ignore[no-untyped-def]
) -> None:
    # A "production" database at 0001 with rows, dumped with the server's pg_dump.
    source = _shop_project(tmp_path / "source", "", secrets.token_hex(4))
    producer = Environment(docker_client, load_profile(source / "profiles", "prod"), source)
    with producer:
        producer.up()
        assert producer.database
        with psycopg.connect(**producer.database.connect_kwargs()) as conn:  # type: ignore[arg-type]
            conn.execute("CREATE TABLE notes (id serial PRIMARY KEY, title varchar(200) NOT NULL, body text NOT NULL)")
            conn.execute("INSERT INTO notes (title, body) SELECT 'n' || i, 'b' FROM generate_series(1, 5000) i")
            conn.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
            conn.execute("INSERT INTO alembic_version VALUES ('0001')")
        dump = _dump(producer, fmt)
    project = _shop_project(tmp_path / "project", f"data: {{restore: prod.{fmt}dump}}\n", secrets.token_hex(4))
    (project / f"prod.{fmt}dump").write_bytes(dump)
    with removing_filled_images(docker_client):
        result = run(Project.at(project), RunOptions(target="prod")).result
    prod = result.profiles["prod"].steps
    assert prod["data"].status == "ok", prod["data"].detail
    assert prod["data"].facts["source"] == "restore"
    assert [(r.id, r.status) for r in prod["migrations"].revisions] == [("0002", "ok")]
    assert result.verdict == "parity", result.divergences


def test_a_seed_command_fills_the_database_with_the_database_variables(
    docker_client, tmp_path: Path, no_leaks: None,  # type: ignore[no-untyped-def]
) -> None:
    seed = ("data: {at: '0001', seed: [python, seed.py, '3000']}\n")
    project = _shop_project(tmp_path, seed, secrets.token_hex(4))
    (project / "seed.py").write_text(
        "import os, sys, psycopg\n"
        "with psycopg.connect(os.environ['DATABASE_URL']) as conn:\n"
        "    conn.execute(\"INSERT INTO notes (title, body) SELECT 'seeded ' || i, 'b' "
        "FROM generate_series(1, %s) i\", [int(sys.argv[1])])\n"
        "print('seeded', sys.argv[1])\n")
    with removing_filled_images(docker_client):
        result = run(Project.at(project), RunOptions(target="prod")).result
    data = result.profiles["prod"].steps["data"]
    assert data.status == "ok", data.detail
    assert data.facts["source"] == "seed" and data.facts["database_bytes"] > 0
    assert [(r.id, r.status) for r in result.profiles["prod"].steps["migrations"].revisions] == [("0002", "ok")]


def test_a_data_step_failing_on_the_target_only_is_a_divergence(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    # The baseline has no data section: its data step is recorded as skipped, so the target's
    # failing seed is compared with it, not lost with the steps the target never reached.
    db = "database: {version: '15'}\n"
    project = make_project(tmp_path / "p", {"local": db, "prod": db + "data: {seed: [sh, -c, 'echo no fixtures >&2; exit 3']}\n"})
    result = run(Project.at(project), RunOptions(target="prod")).result
    assert result.verdict == "divergent" and result.exit_code == 1
    assert [d.step for d in result.divergences] == ["data"], result.divergences
    assert result.divergences[0].baseline.startswith("skipped") and result.divergences[0].target.startswith("failed")


@contextlib.contextmanager
def _started_from_cache(docker_client, root: Path, fingerprint: str) -> Iterator[Environment]:  # type: ignore[no-untyped-def]
    """An environment whose database starts with this data fingerprint (from its cache if any)."""
    env = Environment(docker_client, load_profile(root / "profiles", "p"), root)
    with env:
        env.create_network()
        env.start_database(fingerprint)
        yield env


@pytest.mark.parametrize(("version", "copies"), [("15", True), ("15", False), ("13", False)])
def test_a_cached_cluster_starts_shut_down_cleanly_with_its_rows_and_one_runs_writes_stay_in_that_run(
    docker_client, tmp_path: Path, version: str, copies: bool, no_leaks: None,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not copies:
        monkeypatch.setenv("PARITY_NO_CLONES", "1")
    elif clones.store(docker_client) is None:
        pytest.skip("no reflink store here (needs root, mkfs.xfs and a local engine)")
    (tmp_path / "profiles").mkdir()
    write_profile(tmp_path, "p", f"database: {{version: '{version}', superuser: false}}\n")
    fingerprint = f"test-{secrets.token_hex(4)}"
    with removing_filled_images(docker_client):
        with _started_from_cache(docker_client, tmp_path, fingerprint) as filling:
            db = filling.database
            assert db and db.filled_ref and not db.started_filled
            with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
                conn.execute("CREATE TABLE notes (id serial PRIMARY KEY, title varchar(200) NOT NULL)")
            prepare_to_cache(db)
            fill_rows(db, {"notes": 30000})
            save_filled_cluster(docker_client, db, filling.labels("database"))
        counts = []
        for writes in (True, False):
            with _started_from_cache(docker_client, tmp_path, fingerprint) as later:
                db = later.database
                assert db and db.started_filled and db.container_id
                container = docker_client.containers.get(db.container_id)
                logs = container.logs().decode(errors="replace")
                # Postgres 14+: the image holds a cluster shut down cleanly, so no start recovers
                # (13 has no syncfs to finish it with: its starts recover, as they always did).
                assert ("not properly shut down" in logs) == (version == "13"), logs[-2000:]
                # With the store, the cluster is this environment's own copy, bind-mounted.
                mounted = [m["Source"] for m in container.attrs["Mounts"] if m["Destination"] == pgtemplate.TEMPLATE_DIR]
                assert bool(mounted) == copies, container.attrs["Mounts"]
                with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
                    row = conn.execute("SELECT count(*), max(id) FROM notes").fetchone()
                    counts.append(row)
                    if writes:  # this run's own writes: gone with its environment
                        conn.execute("INSERT INTO notes (title) SELECT 'run' FROM generate_series(1, 700)")
                        conn.execute("DELETE FROM notes WHERE id <= 100")
            assert not any(Path(source).exists() for source in mounted)  # the copy went with it
        assert counts == [(30000, 30000), (30000, 30000)]
