"""Filling a Postgres database: rows generated in the server (parents first, several connections
per table), vacuumed and analysed as a long-lived database is, and the filled cluster committed
as an image for the next run."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import docker

from parity.data import indexes
from parity.data.rows import Table, advance_sequences, fill_order, fill_statement, parts, read_table
from parity.env import pgtemplate
from parity.env.database import Database

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql


def fill_rows(db: Database, rows: dict[str, int], say: Callable[[str], None] = lambda _m: None,
              timeout: float = 900.0) -> dict[str, dict[str, float]]:
    """Generate the rows in the server, parents first, each table by several connections at once
    (one INSERT ... SELECT per share), with the tables' indexes and key constraints built after
    the load (parity.data.indexes); then vacuum and analyse them, as autovacuum would have a
    long-lived production table. Returns {table: {rows, seconds}}.

    As the superuser with session_replication_role = replica: the generated references are valid
    by construction, so foreign-key triggers (and the app's own triggers) are not run, as
    pg_restore --disable-triggers does."""
    import psycopg
    from psycopg import sql
    done: dict[str, dict[str, float]] = {}
    with psycopg.connect(**db.admin_connect_kwargs()) as conn:  # type: ignore[arg-type]
        conn.execute(_session(timeout))
        tables = {name: read_table(conn, name) for name in rows}
        by_regclass = {table.name: name for name, table in tables.items()}
        order = fill_order({table.name: table for table in tables.values()})
        deferred = indexes.plan(conn, order)
        indexes.drop(conn, deferred)
        conn.commit()
        try:
            for regclass in order:
                done[regclass] = _fill_table(db, conn, tables[by_regclass[regclass]], rows[by_regclass[regclass]],
                                             timeout, say)
        except BaseException:
            conn.rollback()
            # Put the dropped indexes back where the rows allow it; the load's own error is the one to report.
            with contextlib.suppress(psycopg.Error):
                indexes.recreate(conn, deferred)
                conn.commit()
            raise
        if deferred:
            say(f"data: building {len(deferred)} indexes and constraints after the load")
        indexes.recreate(conn, deferred)
    with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
        for regclass in order:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.SQL(regclass)))
    return done


def _session(timeout: float) -> sql.Composed:
    """Settings of every filling connection: the step's timeout, triggers off (replica), no wait
    for the WAL flush at commit, and memory for the index builds' sorts."""
    from psycopg import sql
    return sql.SQL("SET statement_timeout = {}; SET session_replication_role = replica; "
                   "SET synchronous_commit = off; SET maintenance_work_mem = '256MB'").format(
        sql.Literal(f"{int(timeout * 1000)}ms"))


def _fill_table(db: Database, conn: psycopg.Connection, table: Table, count: int, timeout: float,
                say: Callable[[str], None]) -> dict[str, float]:
    """Generate `count` rows of `table` by several connections at once, each inserting a share."""
    import psycopg
    parent_rows = {fk.parent: _count(conn, fk.parent) for fk in table.foreign_keys}
    conn.commit()
    say(f"data: generating {count:,} rows in {table.name}")
    started = time.monotonic()
    shares = parts(count, min(os.cpu_count() or 1, 4))

    def insert(part: tuple[int, int]) -> None:
        with psycopg.connect(**db.admin_connect_kwargs()) as worker:  # type: ignore[arg-type]
            worker.execute(_session(timeout))
            worker.execute(fill_statement(table, count, parent_rows, part))

    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        list(pool.map(insert, shares))
    for statement in advance_sequences(table, count):
        conn.execute(statement)
    conn.commit()
    return {"rows": count, "seconds": round(time.monotonic() - started, 3)}


def _count(conn: psycopg.Connection, table: str) -> int:
    from psycopg import sql
    row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.SQL(table))).fetchone()
    return int(row[0]) if row else 0


def analyze(db: Database) -> None:
    """Statistics and visibility as a long-lived database has them (autovacuum's work)."""
    import psycopg
    with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute("VACUUM (ANALYZE)")


def _set_system(db: Database, setting: str, value: str | None) -> None:
    """ALTER SYSTEM SET (or RESET, for None) and reload."""
    import psycopg
    from psycopg import sql
    with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
        if value is None:
            conn.execute(sql.SQL("ALTER SYSTEM RESET {}").format(sql.Identifier(setting)))
        else:
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(setting), sql.Literal(value)))
        conn.execute("SELECT pg_reload_conf()")


def database_bytes(db: Database) -> int:
    import psycopg
    with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return int(row[0]) if row else 0


def prepare_to_cache(db: Database) -> None:
    """Before a fill that will be cached: WAL segments are removed rather than kept for reuse, so
    the cached cluster holds the data, not hundreds of MB of spent WAL (reset when it is saved)."""
    _set_system(db, "wal_recycle", "off")


def save_filled_cluster(client: docker.DockerClient, db: Database, labels: dict[str, str]) -> None:
    """Commit the filled cluster as db.filled_ref (after a checkpoint, so the next start replays
    little WAL); `labels`: the container's, cleared from the image."""
    import psycopg
    assert db.filled_ref and db.container_id
    with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute("CHECKPOINT")
    _set_system(db, "wal_recycle", None)
    pgtemplate.save_filled(client.containers.get(db.container_id), db.filled_ref, labels)
