"""The schema the migrations produced, read with SQLAlchemy's inspector, for comparing two profiles."""

from __future__ import annotations

from typing import Any

from parity.report.redact import Redactor

IGNORED_TABLES = {"alembic_version"}


def sqlalchemy_url(database_url: str) -> str:
    """postgresql:// URLs through psycopg 3 (the driver parity ships); others unchanged."""
    for prefix in ("postgresql://", "postgres://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix) :]
    return database_url


def snapshot_schema(database_url: str, redactor: Redactor) -> dict[str, Any]:
    """Tables (columns and types, primary key, indexes, unique/foreign-key/check constraints) and views."""
    # Imported here: a command that runs no migrations (`up` of a bare database) never loads SQLAlchemy.
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(sqlalchemy_url(database_url), connect_args=_connect_args(database_url))
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


def _connect_args(database_url: str) -> dict[str, Any]:
    return {"connect_timeout": 10} if database_url.startswith(("postgresql", "postgres")) else {}
