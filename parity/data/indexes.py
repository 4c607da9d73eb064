"""Indexes and key constraints built after the load, as pg_restore builds them: dropped before the
rows are generated and re-created from their own definitions (pg_get_indexdef,
pg_get_constraintdef) with the same names once the rows are in. One sort per index instead of a
B-tree insert (and its WAL record) per row.

Only what the definitions carry over exactly is dropped: an index or constraint with a comment,
a CLUSTER mark, a replica identity, a per-column statistics target, its own tablespace, or part
of a partitioned index stays in place during the load (still correct, only slower).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg

# Indexes of the filled tables that can be re-created from their definition: those backing a
# primary key, unique or exclusion constraint (re-created as the constraint) and plain ones.
_INDEXES = """
SELECT i.indexrelid, t.oid::regclass::text, c.conname, c.contype,
       CASE WHEN c.oid IS NULL THEN pg_get_indexdef(i.indexrelid) ELSE pg_get_constraintdef(c.oid) END
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_class x ON x.oid = i.indexrelid
LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')
WHERE i.indrelid = ANY (%(tables)s::regclass[])
  AND t.relkind = 'r' AND x.relkind = 'i' AND x.reltablespace = 0
  AND i.indisvalid AND i.indisready AND NOT i.indisclustered AND NOT i.indisreplident
  AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
  AND NOT EXISTS (SELECT 1 FROM pg_description d WHERE d.objoid IN (i.indexrelid, c.oid))
  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget > 0)
ORDER BY i.indexrelid
"""
# Foreign keys (of any table) that rest on one of those indexes: dropped first, re-created last.
_FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.conindid
FROM pg_constraint c
WHERE c.contype = 'f' AND c.conindid = ANY (%(indexes)s::oid[]) AND c.conparentid = 0  -- a partition's goes with its parent's
  AND NOT EXISTS (SELECT 1 FROM pg_description d WHERE d.objoid = c.oid)
ORDER BY c.oid
"""


@dataclass(frozen=True)
class Rebuild:
    """One index or constraint to re-create: `statement` recreates it exactly, `drop` removes it."""

    table: str  # regclass text
    name: str
    drop: str
    statement: str


@dataclass(frozen=True)
class Deferred:
    """What was dropped for the load: indexes and key constraints, then the foreign keys on them."""

    keys: tuple[Rebuild, ...] = ()
    foreign_keys: tuple[Rebuild, ...] = ()

    def __len__(self) -> int:
        return len(self.keys) + len(self.foreign_keys)


def plan(conn: psycopg.Connection, tables: list[str]) -> Deferred:
    """What to drop before filling `tables` (regclass texts) and how to re-create it (pure reading)."""
    from psycopg import sql

    def ident(name: str) -> str:
        return sql.Identifier(name).as_string(conn)

    keys: list[Rebuild] = []
    indexes: list[int] = []
    for index, table, conname, _kind, definition in conn.execute(_INDEXES, {"tables": tables}).fetchall():
        indexes.append(index)
        if conname is None:
            name = conn.execute("SELECT %s::oid::regclass::text", [index]).fetchone()
            assert name is not None
            keys.append(Rebuild(table, name[0], f"DROP INDEX {name[0]}", definition))
        else:
            keys.append(Rebuild(table, conname, f"ALTER TABLE {table} DROP CONSTRAINT {ident(conname)}",
                                f"ALTER TABLE {table} ADD CONSTRAINT {ident(conname)} {definition}"))
    foreign: list[Rebuild] = []
    if indexes:
        for table, conname, definition, _index in conn.execute(_FOREIGN_KEYS, {"indexes": indexes}).fetchall():
            foreign.append(Rebuild(table, conname, f"ALTER TABLE {table} DROP CONSTRAINT {ident(conname)}",
                                   f"ALTER TABLE {table} ADD CONSTRAINT {ident(conname)} {definition}"))
    return Deferred(tuple(keys), tuple(foreign))


def drop(conn: psycopg.Connection, deferred: Deferred) -> None:
    """Drop the foreign keys, then the indexes and key constraints (in the caller's transaction)."""
    for item in (*deferred.foreign_keys, *deferred.keys):
        conn.execute(item.drop.encode())


def recreate(conn: psycopg.Connection, deferred: Deferred) -> None:
    """Build the indexes and key constraints, then add (and so validate) the foreign keys."""
    for item in (*deferred.keys, *deferred.foreign_keys):
        conn.execute(item.statement.encode())
