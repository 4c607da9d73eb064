"""Production's data at sample sizes (data.extrapolate): each size kept as a database of its own in
the same cluster (CREATE DATABASE ... TEMPLATE), so every rehearsal starts from the same rows, and
the app's database put back at a sample before each one; and whether `data.rows` fits this machine.

A sample database is a copy of the app's at `data.at` (schema, rows, grants inside it); what
CREATE DATABASE does not copy (the database's owner, its own privileges, its settings) is carried
over from the database it replaces.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from parity.data.rows import count_rows, fill_order, fill_statement, read_table
from parity.env.database import Database

if TYPE_CHECKING:
    import docker
    import psycopg

PREFIX = "parity_sample_"
# A rewriting migration holds the old table and its new copy at once, with WAL for both.
REWRITE_FACTOR = 3.0
PROBE_ROWS = 2_000


def _admin(db: Database) -> psycopg.Connection:
    import psycopg
    return psycopg.connect(**(db.admin_connect_kwargs() | {"dbname": "postgres"}), autocommit=True)  # type: ignore[arg-type]


def save_sample(db: Database, size: int) -> None:
    """Keep the app's database as it is now as the sample of `size` rows."""
    from psycopg import sql
    sample = sql.Identifier(PREFIX + str(size))
    with _admin(db) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sample))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sample, sql.Identifier(db.name)))


def saved_samples(db: Database) -> list[int]:
    """The sample sizes this cluster keeps, smallest first (a cached cluster keeps them too)."""
    with _admin(db) as conn:
        names = [row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                                 (PREFIX + "%",))]
    return sorted(int(name[len(PREFIX):]) for name in names if re.fullmatch(r"\d+", name[len(PREFIX):]))


def restore_sample(db: Database, size: int) -> None:
    """Put the app's database back at the sample of `size` rows: a fresh copy of the sample, with
    the owner, privileges and settings of the database it replaces."""
    from psycopg import sql
    name = sql.Identifier(db.name)
    with _admin(db) as conn:
        row = conn.execute("SELECT oid, pg_get_userbyid(datdba), datconnlimit, datacl IS NULL FROM pg_database "
                           "WHERE datname = %s", (db.name,)).fetchone()
        assert row is not None, f"database {db.name} is gone"
        oid, owner, limit, default_acl = row
        grants = conn.execute("SELECT privilege_type, CASE WHEN grantee = 0 THEN 'PUBLIC' "
                              "ELSE quote_ident(pg_get_userbyid(grantee)) END "
                              "FROM pg_database, aclexplode(datacl) WHERE oid = %s", (oid,)).fetchall()
        settings = conn.execute("SELECT CASE WHEN setrole = 0 THEN NULL ELSE pg_get_userbyid(setrole) END, setconfig "
                                "FROM pg_db_role_setting WHERE setdatabase = %s", (oid,)).fetchall()
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                     "AND pid <> pg_backend_pid()", (db.name,))
        conn.execute(sql.SQL("DROP DATABASE {}").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {} CONNECTION LIMIT {}").format(
            name, sql.Identifier(PREFIX + str(size)), sql.Identifier(owner), sql.SQL(str(int(limit)))))
        if not default_acl:
            conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC, {}").format(name, sql.Identifier(owner)))
            for privilege, grantee in grants:  # both as the catalog spells them (grantee quote_ident'ed)
                conn.execute(sql.SQL("GRANT {} ON DATABASE {} TO {}").format(sql.SQL(privilege), name, sql.SQL(grantee)))
        for role, config in settings:
            target = sql.SQL("DATABASE {}").format(name) if role is None else \
                sql.SQL("ROLE {} IN DATABASE {}").format(sql.Identifier(role), name)
            for entry in config:
                key, _, value = entry.partition("=")
                conn.execute(sql.SQL("ALTER {} SET {} = {}").format(target, sql.Identifier(key), sql.Literal(value)))


def bytes_per_row(db: Database, rows: dict[str, int]) -> float:
    """What one row of `rows` costs on disk (table, indexes, TOAST), measured on a probe of a few
    thousand generated rows that is rolled back; weighted by each table's share of the rows."""
    import psycopg
    total = sum(rows.values())
    per_row = 0.0
    with psycopg.connect(**db.admin_connect_kwargs()) as conn:  # type: ignore[arg-type]
        conn.execute("SET session_replication_role = replica")
        drawn = conn.execute("SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences").fetchall()
        tables = {name: read_table(conn, name) for name in rows}
        by_regclass = {table.name: name for name, table in tables.items()}
        probe = {name: max(1, round(PROBE_ROWS * n / max(rows.values()))) for name, n in rows.items()}
        for regclass in fill_order({t.name: t for t in tables.values()}):
            table = tables[by_regclass[regclass]]
            before = _size(conn, regclass)
            # The parents' rows as this transaction sees them: existing ones and the probe's own.
            parents = {fk.parent: count_rows(conn, fk.parent) for fk in table.foreign_keys}
            conn.execute(fill_statement(table, probe[by_regclass[regclass]], parents))
            grown = _size(conn, regclass) - before
            name = by_regclass[regclass]
            per_row += grown / probe[name] * rows[name] / total
        conn.rollback()
        # Sequences move outside transactions: put back those the probe's rows drew from.
        for sequence, last in drawn:
            conn.execute("SELECT setval(%s::regclass, %s, true)" if last is not None else
                         "SELECT setval(%s::regclass, (SELECT start_value FROM pg_sequences WHERE "
                         "format('%%I.%%I', schemaname, sequencename)::regclass = %s::regclass), false)",
                         (sequence, last) if last is not None else (sequence, sequence))
        conn.commit()
    return per_row


def _size(conn: psycopg.Connection, regclass: str) -> int:
    row = conn.execute("SELECT pg_total_relation_size(%s::regclass)", (regclass,)).fetchone()
    return int(row[0]) if row else 0


def free_bytes(client: docker.DockerClient, db: Database) -> int | None:
    """Free space where the server keeps its data (df in its container); None if unknown."""
    import psycopg
    if db.container_id is None:
        return None
    with psycopg.connect(**db.admin_connect_kwargs()) as conn:  # type: ignore[arg-type]
        row = conn.execute("SHOW data_directory").fetchone()
    if row is None:
        return None
    result = client.containers.get(db.container_id).exec_run(["df", "-Pk", str(row[0])])
    lines = result.output.decode(errors="replace").splitlines() if result.exit_code == 0 else []
    fields = lines[-1].split() if len(lines) >= 2 else []
    return int(fields[3]) * 1024 if len(fields) >= 4 and fields[3].isdigit() else None


def fits(needed: float, free: int | None) -> bool:
    """Whether production's rows (`needed` bytes) fit the free disk, with room for a rewrite."""
    return free is None or needed * REWRITE_FACTOR <= free
