"""The schema the migrations produced, read with SQLAlchemy's inspector, for comparing two profiles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from parity.redact import Redactor

IGNORED_TABLES = {"alembic_version"}


def sqlalchemy_url(database_url: str) -> str:
    """postgresql:// URLs through psycopg 3 (the driver parity ships); others unchanged."""
    for prefix in ("postgresql://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix) :]
    return database_url


def snapshot_schema(database_url: str, redactor: Redactor, connect: dict[str, Any] | None = None) -> dict[str, Any]:
    """Tables (columns and types, primary key, indexes, unique/foreign-key/check constraints) and views.

    `connect`: connection arguments that win over the URL's. The URL is the user's template, which
    may name files that exist only where their app runs (sslrootcert=/run/secrets/...)."""
    # Imported here: a command that runs no migrations (`up` of a bare database) never loads SQLAlchemy.
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(sqlalchemy_url(database_url), connect_args=connect_args(database_url) | (connect or {}))
    try:
        inspector = inspect(engine)
        tables: dict[str, Any] = {}
        for table in sorted(set(inspector.get_table_names()) - IGNORED_TABLES):
            tables[table] = {
                "columns": {c["name"]: {"type": str(c["type"]), "nullable": bool(c["nullable"])}
                            for c in inspector.get_columns(table)},
                "primary_key": list(inspector.get_pk_constraint(table).get("constrained_columns") or []),
                "indexes": sorted(
                    f"{i['name']}({', '.join(str(c) for c in i['column_names'])}){' unique' if i.get('unique') else ''}"
                    for i in inspector.get_indexes(table)
                ),
                "unique": sorted(",".join(u["column_names"]) for u in inspector.get_unique_constraints(table)),
                "foreign_keys": sorted(
                    f"({', '.join(fk['constrained_columns'])}) -> {fk['referred_table']}"
                    for fk in inspector.get_foreign_keys(table)
                ),
                "checks": sorted(str(c.get("sqltext", "")) for c in _checks(inspector, table)),
            }
        views = sorted(inspector.get_view_names())
        return {"tables": tables, "views": views}
    except SQLAlchemyError as exc:
        return {"error": redactor.text(str(exc).splitlines()[0])}
    finally:
        engine.dispose()


def _checks(inspector: Any, table: str) -> list[dict[str, Any]]:
    try:
        return list(inspector.get_check_constraints(table))
    except NotImplementedError:
        return []


def connect_args(database_url: str) -> dict[str, Any]:
    return {"connect_timeout": 10} if database_url.startswith(("postgresql", "postgres")) else {}


def schema_differences(bs: dict[str, Any], ts: dict[str, Any], same_engine: bool = True,
                       ) -> Iterable[tuple[str, str, str]]:
    """(what, in the first, in the second) for each difference between two snapshots (column types,
    keys, indexes, constraints and views only between the same engine)."""
    def present(found: bool) -> str:
        return "present" if found else "missing"

    bt_tables, tt_tables = bs.get("tables", {}), ts.get("tables", {})
    for table in sorted(set(bt_tables) | set(tt_tables)):
        if table not in tt_tables or table not in bt_tables:
            yield f"table {table}", present(table in bt_tables), present(table in tt_tables)
            continue
        bcols, tcols = bt_tables[table]["columns"], tt_tables[table]["columns"]
        for col in sorted(set(bcols) | set(tcols)):
            if col not in bcols or col not in tcols:
                yield f"column {table}.{col}", present(col in bcols), present(col in tcols)
            elif same_engine and bcols[col] != tcols[col]:
                yield f"column {table}.{col}", _col(bcols[col]), _col(tcols[col])
        if same_engine:
            for facet in ("primary_key", "indexes", "unique", "foreign_keys", "checks"):
                if bt_tables[table].get(facet) != tt_tables[table].get(facet):
                    yield (f"{facet.replace('_', ' ')} of {table}", str(bt_tables[table].get(facet)),
                           str(tt_tables[table].get(facet)))
    if same_engine and bs.get("views") != ts.get("views"):
        yield "views", ", ".join(bs.get("views", [])) or "none", ", ".join(ts.get("views", [])) or "none"


def _col(column: dict[str, Any]) -> str:
    return f"{column['type']}{'' if column['nullable'] else ' NOT NULL'}"
