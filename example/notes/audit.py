"""Audit trail: who deleted which note, written on its own connection.

The audit record goes through a separate, autocommitted connection so that it
survives even when the request's own transaction rolls back.
"""

from __future__ import annotations

import psycopg
from psycopg.conninfo import make_conninfo
from sqlalchemy import Connection, text

from . import config, db

INSERT_SQL = "INSERT INTO audit_log (action, note_id, detail) VALUES (%s, %s, %s)"


def audit_conninfo(url: str) -> str:
    """libpq connection string for the audit writer.

    # DEMO BUG (database.ssl): ``sslmode=disable`` was added "because the local
    # docker Postgres has no certs" (with the default ``prefer`` it would have
    # worked there too). Production's Postgres rejects every non-TLS connection
    # (pg_hba ``hostnossl ... reject``), so on prod each audited request fails
    # with "pg_hba.conf rejects connection ... no encryption". The main engine
    # (db.py) uses the URL as given and is unaffected: the rest of the app works.
    """
    return make_conninfo(url, sslmode="disable", connect_timeout=5, application_name="notes-audit")


def record(request_conn: Connection, action: str, note_id: int | None, detail: str = "") -> None:
    """Append one row to ``audit_log``; raises if it cannot be written.

    ``request_conn`` is the request's own connection; it is only used for
    SQLite, whose single writer lock would otherwise block the audit insert.
    """
    url = config.get_database_url()
    if db.is_sqlite(url):
        # A SQLite file has no network and no TLS: write in the request's transaction.
        request_conn.execute(
            text("INSERT INTO audit_log (action, note_id, detail) VALUES (:a, :n, :d)"),
            {"a": action, "n": note_id, "d": detail},
        )
        return
    with psycopg.connect(audit_conninfo(url), autocommit=True) as conn:
        conn.execute(INSERT_SQL, (action, note_id, detail))
