"""Database access: one lazily created SQLAlchemy engine for the whole process."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, create_engine

from . import config

_engine: Engine | None = None
_lock = threading.Lock()


def sqlalchemy_url(url: str) -> str:
    """Map a libpq-style ``postgresql://`` URL onto SQLAlchemy's psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(url: str) -> bool:
    """True for ``sqlite:`` URLs (baseline profiles may use a SQLite file)."""
    return url.startswith("sqlite")


def get_engine() -> Engine:
    """The process-wide engine, created on first use so /healthz never needs a database.

    The URL is used as given: without an ``sslmode`` libpq defaults to ``prefer``,
    which negotiates TLS when the server offers it and works with or without it.
    """
    global _engine
    with _lock:
        if _engine is None:
            url = config.get_database_url()
            kwargs: dict[str, object] = {"pool_pre_ping": True}
            if not is_sqlite(url):
                kwargs.update(pool_size=5, connect_args={"connect_timeout": 5})
            _engine = create_engine(sqlalchemy_url(url), **kwargs)
        return _engine
