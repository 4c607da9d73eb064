"""Filling a Postgres database: rows generated in the server (parents first, several connections
per table), vacuumed and analysed as a long-lived database is, and the filled cluster committed
as an image for the next run."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import docker

from parity.data import indexes
from parity.data.rows import (
    Table,
    advance_sequences,
    count_rows,
    fill_levels,
    fill_statement,
    parts,
    read_table,
)
from parity.env import pgtemplate
from parity.env.database import Database

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql

    Statement = bytes | sql.Composed


def fill_rows(db: Database, rows: dict[str, int], say: Callable[[str], None] = lambda _m: None,
              timeout: float = 900.0) -> dict[str, dict[str, float]]:
    """Generate the rows in the server, parents first (tables that do not refer to each other at
    once), each table by several connections at once (one INSERT ... SELECT per share); vacuum
    and analyse them as autovacuum would have a long-lived production table, with the tables'
    indexes and key constraints built between the two, after the load (parity.data.indexes).
    Returns {table: {rows, seconds}}.

    As the superuser with session_replication_role = replica: the generated references are valid
    by construction, so foreign-key triggers (and the app's own triggers) are not run, as
    pg_restore --disable-triggers does."""
    with _unsafe_while_loading(db):
        return _fill(db, rows, say, timeout)


def _fill(db: Database, rows: dict[str, int], say: Callable[[str], None], timeout: float,
          ) -> dict[str, dict[str, float]]:
    import psycopg
    done: dict[str, dict[str, float]] = {}
    with psycopg.connect(**db.admin_connect_kwargs()) as conn:  # type: ignore[arg-type]
        conn.execute(_session(timeout))
        tables = {name: read_table(conn, name) for name in rows}
        counts = {table.name: rows[name] for name, table in tables.items()}
        by_regclass = {table.name: table for table in tables.values()}
        waves = fill_levels(by_regclass)
        deferred = indexes.plan(conn, list(counts))
        indexes.drop(conn, deferred)
        conn.commit()
        try:
            for wave in waves:
                done.update(_fill_wave(db, conn, [by_regclass[name] for name in wave], counts, timeout, say))
        except BaseException:
            conn.rollback()
            # Put the dropped indexes back where the rows allow it; the load's own error is the one to report.
            with contextlib.suppress(psycopg.Error):
                indexes.recreate(conn, deferred)
                conn.commit()
            raise
        order = [name for wave in waves for name in wave]
        # Vacuumed before the indexes are built: VACUUM sets every row's hint bits and the pages'
        # all-visible mark in one pass, and the index builds then read clean pages instead of
        # dirtying them first (measured: ~15% less CPU for the two). Analysed after them, so that
        # expression indexes get their statistics.
        say(f"data: vacuuming {len(order)} tables")
        _in_parallel(db, timeout, [[_maintenance("VACUUM", name)] for name in order], autocommit=True)
        if deferred:
            say(f"data: building {len(deferred)} indexes and constraints after the load")
        # Each table's indexes on a connection of its own (as pg_restore --jobs), then the foreign keys.
        by_table: dict[str, list[Statement]] = {}
        for key in deferred.keys:
            by_table.setdefault(key.table, []).append(key.statement.encode())
        _in_parallel(db, timeout, list(by_table.values()))
        indexes.recreate(conn, indexes.Deferred(foreign_keys=deferred.foreign_keys))
    _in_parallel(db, timeout, [[_maintenance("ANALYZE", name)] for name in order], autocommit=True)
    return done


# Server settings during a fill only (a crash mid-fill loses a cluster that is thrown away anyway):
# no fsync of each 16 MB WAL segment as it fills, nor of the data files at the checkpoints the
# WAL volume triggers, and no full-page images after them. Measured at 10M rows on 2 cores: the
# INSERT phase 57 -> 30 s wall for the same 28 s of server CPU (it waited on the disk). Put back
# before fill_rows returns, so the save's CHECKPOINT writes the cluster out as before and the
# served cluster's settings are the profile's.
RELOAD_TIMEOUT_S = 10.0
LOADING = {"fsync": "off", "full_page_writes": "off"}


@contextlib.contextmanager
def _unsafe_while_loading(db: Database) -> Iterator[None]:
    """LOADING set (ALTER SYSTEM, reloaded) around the fill; each setting's own postgresql.auto.conf
    line, if it had one, put back after it (the command line, the profile's settings, wins over both)."""
    import psycopg
    with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
        before: dict[str, str] = dict(conn.execute(
            "SELECT name, setting FROM pg_file_settings WHERE name = ANY (%s) "
            "AND sourcefile LIKE '%%postgresql.auto.conf' ORDER BY seqno", [list(LOADING)]).fetchall())
    _set_systems(db, LOADING)
    try:
        yield
    finally:
        _set_systems(db, {name: before.get(name) for name in LOADING})


def _session(timeout: float) -> sql.Composed:
    """Settings of every filling connection: the step's timeout, triggers off (replica), no wait
    for the WAL flush at commit, and memory for the index builds' sorts (a 3M-row integer key
    sorts in memory; below a quarter of a 512 MiB database.memory with two builds at once).

    Each build is one process: the builds already run one per connection (as pg_restore --jobs),
    and a parallel build divides maintenance_work_mem between its workers, whose smaller sorts
    spill. Measured on 2 cores, the notes primary key at 1M/3M/10M rows: 0.6/2.4/9.8 s wall and
    0.4/1.5/5.0 s CPU alone, against 0.9/3.1/11.6 s and 0.5/1.9/5.8 s with the default 2 workers."""
    from psycopg import sql
    return sql.SQL("SET statement_timeout = {}; SET session_replication_role = replica; "
                   "SET synchronous_commit = off; SET maintenance_work_mem = '128MB'; "
                   "SET max_parallel_maintenance_workers = 0").format(
        sql.Literal(f"{int(timeout * 1000)}ms"))


def _maintenance(command: str, table: str) -> sql.Composed:
    """VACUUM or ANALYZE of one table (regclass text)."""
    from psycopg import sql
    return sql.SQL("{} {}").format(sql.SQL(command), sql.SQL(table))


def _workers() -> int:
    return min(os.cpu_count() or 1, 4)


def _in_parallel(db: Database, timeout: float, batches: list[list[Statement]], autocommit: bool = False,
                 ) -> list[float]:
    """Run each batch of statements on a connection of its own, up to one per worker at once;
    returns when each batch finished (time.monotonic())."""
    import psycopg

    def run(batch: list[Statement]) -> float:
        with psycopg.connect(**db.admin_connect_kwargs(), autocommit=autocommit) as worker:  # type: ignore[arg-type]
            worker.execute(_session(timeout))
            for statement in batch:
                worker.execute(statement)
        return time.monotonic()

    if not batches:
        return []
    with ThreadPoolExecutor(max_workers=min(len(batches), _workers())) as pool:
        return list(pool.map(run, batches))


def _fill_wave(db: Database, conn: psycopg.Connection, wave: list[Table], counts: dict[str, int], timeout: float,
               say: Callable[[str], None]) -> dict[str, dict[str, float]]:
    """Generate the rows of tables that do not refer to each other, all at once: each table in
    shares (one INSERT ... SELECT each), the workers divided between the tables by their rows."""
    total = sum(counts[table.name] for table in wave) or 1
    jobs: list[tuple[str, list[Statement]]] = []
    for table in wave:
        count = counts[table.name]
        parent_rows = {fk.parent: count_rows(conn, fk.parent) for fk in table.foreign_keys}
        say(f"data: generating {count:,} rows in {table.name}")
        shares = parts(count, max(1, round(_workers() * count / total)))
        jobs += [(table.name, [fill_statement(table, count, parent_rows, part)]) for part in shares]
    conn.commit()
    started = time.monotonic()
    finished = _in_parallel(db, timeout, [statements for _name, statements in jobs])
    done: dict[str, dict[str, float]] = {}
    for table in wave:
        ended = max(end for (name, _s), end in zip(jobs, finished, strict=True) if name == table.name)
        for statement in advance_sequences(table, counts[table.name]):
            conn.execute(statement)
        done[table.name] = {"rows": counts[table.name], "seconds": round(ended - started, 3)}
    conn.commit()
    return done


def analyze(db: Database) -> None:
    """Statistics and visibility as a long-lived database has them (autovacuum's work)."""
    import psycopg
    with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute("VACUUM (ANALYZE)")


def _set_system(db: Database, setting: str, value: str | None) -> None:
    """ALTER SYSTEM SET (or RESET, for None) and reload."""
    _set_systems(db, {setting: value})


def _set_systems(db: Database, settings: Mapping[str, str | None]) -> None:
    """ALTER SYSTEM SET each setting (RESET for None), reload, and wait until new sessions run
    with them: the postmaster reloads after pg_reload_conf() has returned, then signals every
    process (the checkpointer reads them before its next checkpoint)."""
    import psycopg
    from psycopg import sql
    with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
        for setting, value in settings.items():
            if value is None:
                conn.execute(sql.SQL("ALTER SYSTEM RESET {}").format(sql.Identifier(setting)))
            else:
                conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(setting), sql.Literal(value)))
        asked = conn.execute("SELECT clock_timestamp()").fetchone()
        conn.execute("SELECT pg_reload_conf()")
    # A new session carries the postmaster's load time: once it is past `asked`, the files were
    # read again, and every process has been signalled to read them too.
    deadline = time.monotonic() + RELOAD_TIMEOUT_S
    while asked is not None and time.monotonic() < deadline:
        with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as probe:  # type: ignore[arg-type]
            loaded = probe.execute("SELECT pg_conf_load_time() >= %s", [asked[0]]).fetchone()
        if loaded and loaded[0]:
            return
        time.sleep(0.02)


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
