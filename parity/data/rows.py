"""Rows generated in the server (`data.rows: {TABLE: N}`): one INSERT ... SELECT over
generate_series per table, with values that fit each column's type and length, NOT NULL,
unique constraints and indexes, and foreign keys (children point at existing parent rows).

Reading the catalog needs a connection; building the statement is pure, so it is tested
without a server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql


# Bump when the generated values change: filled clusters are cached by it.
GENERATOR_VERSION = "3"


@dataclass(frozen=True)
class Column:
    """A column as the catalog describes it (domains resolved to their base type)."""

    name: str
    base: str  # the base type's name: int4, varchar, _int4 (an array), an enum's name...
    declared: str  # format_type of the base type with its modifier: character varying(200)
    category: str  # pg_type.typcategory: N numeric, S string, D date/time, A array, E enum...
    not_null: bool = False
    default: str | None = None
    identity: bool = False
    generated: bool = False
    element: str | None = None  # arrays: the element type's name
    enum_labels: tuple[str, ...] = ()  # enums: their labels, in order


@dataclass(frozen=True)
class ForeignKey:
    """Columns of the table that reference a parent's columns."""

    columns: tuple[str, ...]
    parent: str  # the parent as regclass text (quoted as needed)
    parent_columns: tuple[str, ...]


@dataclass(frozen=True)
class Sequence:
    """The sequence that feeds an integer column (serial or identity, increment 1): the fill
    numbers the rows after `after` itself, as the sequence would have, and then sets it past them."""

    name: str  # regclass text
    after: int  # the value before the first generated one (the sequence's or the column's max)
    maximum: int


@dataclass(frozen=True)
class Table:
    """What the generator needs to know of one table."""

    name: str  # regclass text
    columns: tuple[Column, ...]
    unique: tuple[tuple[str, ...], ...] = ()  # primary key, unique constraints and indexes
    foreign_keys: tuple[ForeignKey, ...] = ()
    checked: frozenset[str] = frozenset()  # columns a CHECK constraint reads
    offsets: dict[str, int] = field(default_factory=dict)  # unique columns: integers' max, others' row count
    sequences: dict[str, Sequence] = field(default_factory=dict)  # columns numbered by the fill

    def numbered(self, rows: int) -> dict[str, Sequence]:
        """The columns the fill numbers itself for `rows` rows (nextval() for each row cost a sixth
        of an insert's CPU); a sequence that would overflow is left to the server, which says so."""
        return {name: seq for name, seq in self.sequences.items() if seq.after + rows <= seq.maximum}


class CannotGenerate(Exception):
    """A column parity cannot fill with valid values: the message says which and what to do."""


# 32 pseudo-random hex digits for row g.i, computed once per row (as g.h) and shared by every
# text-like value of the row: two 64-bit integer hashes cost about a third of one md5(), which
# was most of the fill's CPU when every text column computed its own. Their 8 bytes each
# (int8send, big-endian) in hex are the digits lpad(to_hex(...), 16, '0') gives, in half its CPU.
ROW_HASH = "encode(int8send(hashint8extended(i, 0)) || int8send(hashint8extended(i, 1)), 'hex')"
HASH_DIGITS = 32

_INT_LIMITS = {"int2": 32767, "int4": 2147483647, "int8": 9223372036854775807}
_MODIFIER = re.compile(r"\((\d+)(?:,\s*(\d+))?\)")


def _modifier(declared: str) -> tuple[int | None, int | None]:
    match = _MODIFIER.search(declared)
    if not match:
        return None, None
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


def value_expression(column: Column, *, unique: bool, rows: int, offset: int = 0) -> str:
    """SQL for one generated value of the column in terms of g.i (1..rows); raise CannotGenerate."""
    i = "g.i"
    k = f"({offset} + g.i)" if offset else i  # unique values continue after the existing ones
    base, (length, scale) = column.base, _modifier(column.declared)
    if column.category == "A" and column.element:
        element = Column(column.name, column.element, column.element, _category(column.element))
        return f"ARRAY[{value_expression(element, unique=False, rows=rows)}]"
    if column.category == "E":
        size = len(column.enum_labels)
        if unique and rows > size:
            raise CannotGenerate(f"{column.name} is unique and its enum has {size} values, fewer than {rows} rows")
        # The labels as a constant: enum_range() would be evaluated again for every row.
        labels = "{" + ",".join('"' + label.replace("\\", "\\\\").replace('"', '\\"') + '"'
                                for label in column.enum_labels) + "}"
        return f"('{_quote(labels)}'::{column.declared}[])[1 + {i} % {max(size, 1)}]"
    if base in _INT_LIMITS:
        limit = _INT_LIMITS[base]
        if unique:
            if offset + rows > limit:
                raise CannotGenerate(f"{column.name} ({base}) is unique and cannot hold {rows} more values")
            return k
        return f"({i} % {min(limit, 1_000_000)})"
    if base == "numeric":
        whole = (length - (scale or 0)) if length else 9
        top = 10 ** min(whole, 12)
        if unique:
            if offset + rows >= top:
                raise CannotGenerate(f"{column.name} ({column.declared}) is unique and cannot hold {rows} values")
            return f"{k}::numeric"
        return f"round((({i}::bigint * 7919) % {top * 100}) / 100.0 % {top}, {scale or 0})"
    if base in ("float4", "float8"):
        return f"({k} / 7.0)" if unique else f"(({i}::bigint * 7919) % 100000 / 7.0)"
    if base == "money":
        return f"(({k} % 100000000)::numeric / 100)::money" if unique else f"(({i} % 100000)::numeric / 100)::money"
    if base == "bool":
        if unique and rows > 2:
            raise CannotGenerate(f"{column.name} is a unique boolean: at most 2 rows")
        return f"({i} % 2 = 0)"
    if base in ("text", "varchar", "bpchar", "citext", "name"):
        return _text(column, unique=unique, rows=rows + offset, k=k, length=length)
    if base == "uuid":
        # Time-ordered like UUIDv7 (a counter, then hash bits): unique, and an index on it grows
        # at its end as production's does under time-ordered ids.
        return f"(lpad(to_hex({k}), 12, '0') || substr(g.h, 1, 20))::uuid"
    if base in ("json", "jsonb"):
        return f"{base}_build_object('n', {k})"
    if base == "bytea":
        return f"decode(md5({k}::text), 'hex')"
    if base == "date":
        return f"(date '2000-01-01' + {k})" if unique else f"(date '2020-01-01' + ({i} % 2000))"
    if base in ("timestamp", "timestamptz"):
        seconds = k if unique else f"(({i}::bigint * 7919) % 157680000)"
        return f"({base} '2020-01-01' + {seconds} * interval '1 second')"
    if base in ("time", "timetz"):
        if unique and rows > 86400:
            raise CannotGenerate(f"{column.name} is a unique time of day: at most 86400 rows")
        return f"({base} '00:00' + ({k} % 86400) * interval '1 second')"
    if base == "interval":
        return f"({k} * interval '1 second')"
    if base in ("inet", "cidr"):
        if unique and offset + rows > 2**24:
            raise CannotGenerate(f"{column.name} is a unique address: at most {2**24} rows")
        return (f"('10.' || ({k} / 65536 % 256) || '.' || ({k} / 256 % 256) || '.' || ({k} % 256))::{base}")
    if base == "tsvector":
        return "to_tsvector('simple', g.h)"
    raise CannotGenerate(f"{column.name} is of type {column.declared}, which parity does not generate")


def _text(column: Column, *, unique: bool, rows: int, k: str, length: int | None) -> str:
    if column.base == "name":
        length = 63
    if unique:
        if length is not None and length < len(str(rows)):
            raise CannotGenerate(f"{column.name} ({column.declared}) is unique and too short for {rows} values")
        value, longest = f"({k}::text || '-' || g.h)", len(str(rows)) + 1 + HASH_DIGITS
    else:
        value, longest = "repeat(g.h, 2)", 2 * HASH_DIGITS
    if length is None or length >= longest:
        return value  # nothing to cut: left() alone cost as much CPU as the row's hash
    # The explicit cast cuts to `length` characters as left() does (the digits are ASCII), in a
    # quarter of its CPU.
    return f"{value}::varchar({length})"


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _category(type_name: str) -> str:
    if type_name in _INT_LIMITS or type_name in ("numeric", "float4", "float8", "money"):
        return "N"
    return "S" if type_name in ("text", "varchar", "bpchar") else "U"


def fill_statement(table: Table, rows: int, parent_rows: dict[str, int], part: tuple[int, int] | None = None,
                   ) -> sql.Composed:
    """INSERT ... SELECT generating `rows` rows of `table`; parent_rows: rows each parent has.
    `part` (first, last) generates only those of the rows (1-based, inclusive), so that several
    connections can share the work."""
    from psycopg import sql
    first, last = part or (1, rows)
    unique_columns = {name for key in table.unique for name in key}
    by_fk: dict[str, tuple[int, int]] = {}  # column -> (foreign key index, position)
    ctes: list[sql.Composable] = []
    joins: list[sql.Composable] = []
    stride = "1"
    for number, fk in enumerate(table.foreign_keys):
        available = parent_rows.get(fk.parent, 0)
        required = any(_column(table, c).not_null for c in fk.columns)
        if fk.parent == table.name or available == 0:
            if required:
                why = "refers to its own table" if fk.parent == table.name else f"refers to {fk.parent}, which is empty"
                raise CannotGenerate(f"{', '.join(fk.columns)} is NOT NULL and {why}: "
                                     f"fill {fk.parent} first (list it in data.rows) or use data.seed")
            continue  # nullable: left NULL
        alias = f"p{number}"
        picks = sql.SQL(", ").join(
            sql.SQL("{} AS c{}").format(sql.Identifier(col), sql.Literal(pos)) for pos, col in enumerate(fk.parent_columns))
        ctes.append(sql.SQL("{} AS MATERIALIZED (SELECT {}, row_number() OVER () - 1 AS rn FROM {})").format(
            sql.Identifier(alias), picks, sql.SQL(fk.parent)))
        # Each foreign key walks its parents at its own stride, so composite keys made of
        # several foreign keys stay unique while rows <= the product of the parents' rows.
        joins.append(sql.SQL("JOIN {a} ON {a}.rn = ((g.i - 1)::bigint / ({s})) % {n}").format(
            a=sql.Identifier(alias), s=sql.SQL(stride), n=sql.Literal(available)))
        stride = f"{stride} * {available}"
        for position, col in enumerate(fk.columns):
            by_fk[col] = (number, position)

    names: list[sql.Composable] = []
    values: list[sql.Composable] = []
    hashed = False  # a value uses the row's hash, g.h
    numbered = table.numbered(rows)
    for column in table.columns:
        if column.name in numbered:
            names.append(sql.Identifier(column.name))
            values.append(sql.SQL("({} + g.i)").format(sql.Literal(numbered[column.name].after)))
            continue
        if column.identity or column.generated:
            continue
        if column.name in by_fk:
            number, position = by_fk[column.name]
            names.append(sql.Identifier(column.name))
            values.append(sql.SQL("{}.{}").format(sql.Identifier(f"p{number}"), sql.Identifier(f"c{position}")))
            continue
        if any(column.name in fk.columns for fk in table.foreign_keys):
            continue  # a nullable reference to an empty parent: NULL
        if column.default is not None and ("nextval(" in column.default or column.name in table.checked):
            continue  # a sequence, or a default that satisfies the column's CHECK
        if column.name in table.checked and not column.not_null:
            continue  # NULL satisfies a CHECK
        try:
            expression = value_expression(column, unique=column.name in unique_columns, rows=rows,
                                          offset=table.offsets.get(column.name, 0))
        except CannotGenerate as exc:
            if column.not_null and column.default is None:
                raise CannotGenerate(f"{table.name}.{exc}; fill it with data.seed or data.restore") from None
            continue  # the default or NULL will do
        names.append(sql.Identifier(column.name))
        values.append(sql.SQL(expression))
        hashed = hashed or "g.h" in expression
    with_clause = sql.SQL("WITH {} ").format(sql.SQL(", ").join(ctes)) if ctes else sql.SQL("")
    # generate_series in a select list streams its numbers (ProjectSet); in FROM it is a function
    # scan that first stores them all in a tuplestore, spilled to a temporary file at this size.
    series = sql.SQL("(SELECT generate_series({}, {}) AS i) AS g").format(sql.Literal(first), sql.Literal(last))
    if hashed:
        # OFFSET 0 keeps the subquery from being flattened, which would compute g.h once per use.
        series = sql.SQL("(SELECT i, {} AS h FROM {} OFFSET 0) AS g").format(
            sql.SQL(ROW_HASH), sql.SQL("(SELECT generate_series({}, {}) AS i) AS s").format(
                sql.Literal(first), sql.Literal(last)))
    if not names:
        return sql.SQL("{}INSERT INTO {} SELECT FROM {}").format(with_clause, sql.SQL(table.name), series)
    # An identity column GENERATED ALWAYS takes the numbered values only with OVERRIDING SYSTEM VALUE.
    overriding = sql.SQL(" OVERRIDING SYSTEM VALUE" if any(_column(table, name).identity for name in numbered) else "")
    return sql.SQL("{}INSERT INTO {} ({}){} SELECT {} FROM {} {}").format(
        with_clause, sql.SQL(table.name), sql.SQL(", ").join(names), overriding, sql.SQL(", ").join(values),
        series, sql.SQL(" ").join(joins))


def advance_sequences(table: Table, rows: int) -> list[sql.Composed]:
    """After `rows` rows: each numbering sequence set to the last value the fill used."""
    from psycopg import sql
    return [sql.SQL("SELECT setval({}, {})").format(sql.Literal(seq.name), sql.Literal(seq.after + rows))
            for seq in table.numbered(rows).values()]


def _column(table: Table, name: str) -> Column:
    return next(c for c in table.columns if c.name == name)


def parts(rows: int, workers: int, smallest: int = 50_000) -> list[tuple[int, int]]:
    """Split 1..rows into at most `workers` contiguous (first, last) ranges of at least `smallest`."""
    count = max(1, min(workers, rows // smallest))
    size = -(-rows // count)
    return [(start, min(rows, start + size - 1)) for start in range(1, rows + 1, size)]


def fill_order(tables: dict[str, Table]) -> list[str]:
    """Parents before children (among the tables to fill); a cycle keeps the given order."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered or name in visiting:
            return
        visiting.add(name)
        for fk in tables[name].foreign_keys:
            if fk.parent in tables and fk.parent != name:
                visit(fk.parent)
        visiting.discard(name)
        ordered.append(name)

    for name in tables:
        visit(name)
    return ordered


def fill_levels(tables: dict[str, Table]) -> list[list[str]]:
    """fill_order in waves: each table in the wave after the last of its parents (among the tables
    to fill), so the tables of one wave, which do not refer to each other, can be filled at once."""
    level: dict[str, int] = {}
    for name in fill_order(tables):
        parents = [level[fk.parent] for fk in tables[name].foreign_keys if fk.parent in level and fk.parent != name]
        level[name] = 1 + max(parents, default=-1)
    return [[name for name in level if level[name] == wave] for wave in range(1 + max(level.values(), default=-1))]


_COLUMNS = """
SELECT a.attname, bt.typname, format_type(bt.oid, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END),
       bt.typcategory, a.attnotnull OR (t.typtype = 'd' AND t.typnotnull), pg_get_expr(d.adbin, d.adrelid),
       a.attidentity <> '', a.attgenerated <> '', et.typname,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = bt.oid ORDER BY e.enumsortorder)
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %(t)s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""
_CONSTRAINTS = """
SELECT c.contype,
       ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(n, o)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o)::text[],
       c.confrelid::regclass::text,
       ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k(n, o)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o)::text[]
FROM pg_constraint c
WHERE c.conrelid = %(t)s::regclass AND c.contype IN ('p', 'u', 'f', 'c')
UNION ALL
SELECT 'u', ARRAY(SELECT a.attname FROM pg_attribute a
                  WHERE a.attrelid = i.indrelid AND (a.attnum = ANY (i.indkey)
                        OR pg_get_indexdef(i.indexrelid) ~ ('\\m' || a.attname || '\\M')) AND a.attnum > 0)::text[],
       NULL, NULL
FROM pg_index i
WHERE i.indrelid = %(t)s::regclass AND i.indisunique
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


def read_table(conn: psycopg.Connection, name: str) -> Table:
    """The table's columns and constraints from the catalog (raise CannotGenerate if it does not exist)."""
    import psycopg
    from psycopg import sql
    try:
        regclass = conn.execute("SELECT %s::regclass::text", [name]).fetchone()
    except psycopg.errors.UndefinedTable:
        conn.rollback()
        raise CannotGenerate(f"table {name} does not exist at this revision") from None
    assert regclass is not None
    columns = tuple(Column(name=r[0], base=r[1], declared=r[2], category=r[3], not_null=r[4], default=r[5],
                           identity=r[6], generated=r[7], element=r[8], enum_labels=tuple(r[9]))
                    for r in conn.execute(_COLUMNS, {"t": name}).fetchall())
    unique: list[tuple[str, ...]] = []
    fks: list[ForeignKey] = []
    checked: set[str] = set()
    for kind, cols, parent, parent_cols in conn.execute(_CONSTRAINTS, {"t": name}).fetchall():
        if kind in ("p", "u") and cols:
            unique.append(tuple(cols))
        elif kind == "f":
            fks.append(ForeignKey(tuple(cols), parent, tuple(parent_cols)))
        elif kind == "c":
            checked.update(cols)
    offsets: dict[str, int] = {}
    existing: int | None = None
    for key in unique:
        for col in key:
            column = next(c for c in columns if c.name == col)
            if col in offsets:
                continue
            if column.base in _INT_LIMITS:
                row = conn.execute(sql.SQL("SELECT coalesce(max({}), 0) FROM {}").format(
                    sql.Identifier(col), sql.SQL(regclass[0]))).fetchone()
                offsets[col] = int(row[0]) if row else 0
            else:
                # Other unique values are numbered too (text, uuid, dates...): a second fill of the
                # same table (a larger sample, more rows) continues after the rows already there.
                if existing is None:
                    existing = count_rows(conn, regclass[0])
                offsets[col] = existing
    sequences: dict[str, Sequence] = {}
    for column in columns:
        if column.base in _INT_LIMITS and not column.generated and (
                column.identity or (column.default or "").startswith("nextval(")):
            found = _sequence(conn, regclass[0], column, offsets.get(column.name, 0))
            if found is not None:
                sequences[column.name] = found
    return Table(name=regclass[0], columns=columns, unique=tuple(unique), foreign_keys=tuple(fks),
                 checked=frozenset(checked), offsets=offsets, sequences=sequences)


def count_rows(conn: psycopg.Connection, table: str) -> int:
    """The rows `table` (regclass text, quoted as needed) has now."""
    from psycopg import sql
    row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.SQL(table))).fetchone()
    return int(row[0]) if row else 0


def _sequence(conn: psycopg.Connection, table: str, column: Column, largest: int) -> Sequence | None:
    """The column's own sequence (serial or identity) if it counts up by one and the column's
    default is that sequence; None otherwise (the server's default then numbers the rows).
    `largest`: the column's largest value now."""
    from psycopg import sql
    row = conn.execute("SELECT s.seqrelid::regclass::text, s.seqmax, d.adbin IS NULL OR pg_get_expr(d.adbin, d.adrelid) "
                       "= format('nextval(%%L::regclass)', s.seqrelid::regclass::text) FROM pg_sequence s "
                       "LEFT JOIN pg_attrdef d ON d.adrelid = %(t)s::regclass AND d.adnum = "
                       "(SELECT attnum FROM pg_attribute WHERE attrelid = %(t)s::regclass AND attname = %(c)s) "
                       "WHERE s.seqrelid = pg_get_serial_sequence(%(name)s, %(column)s)::regclass AND s.seqincrement = 1",
                       {"t": table, "c": column.name, "name": table, "column": column.name}).fetchone()
    if row is None or not row[2]:
        return None
    state = conn.execute(sql.SQL("SELECT last_value, is_called FROM {}").format(sql.SQL(row[0]))).fetchone()
    assert state is not None
    last = int(state[0]) if state[1] else int(state[0]) - 1
    maximum = min(int(row[1]), _INT_LIMITS[column.base])
    # After the column's largest value too: rows inserted with explicit ids do not collide.
    return Sequence(row[0], after=max(last, largest), maximum=maximum)
